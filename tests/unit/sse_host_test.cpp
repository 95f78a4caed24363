// The interpreter's SSE2..SSE4.2 handlers against the host CPU: each
// instruction runs on random operands (random bits, special floats, small
// alphabets for the string compares) both natively and in the real-mode
// rig; XMM0, the MXCSR flags and, where the instruction defines them,
// EFLAGS and ECX must agree. Only on x86-64 hosts with SSE4.2 (checked).
// The encodings were produced by GNU as from the listed AT&T text; in
// 16-bit code they mean the same (CRC32 r32 carries 66).
#include <doctest/doctest.h>

#include <cpuid.h>
#include <csetjmp>
#include <csignal>
#include <ucontext.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <ios>
#include <random>
#include <string>

#include "cpu/cpu.h"
#include "tests/unit/real_mode_rig.h"

#if defined(__x86_64__)

using namespace sv;

namespace {

struct HostIo {
  uint8_t a[16], b[16];
  uint32_t eax, edx, ecx, csr;
  uint8_t ra[16];
  uint64_t rflags;
  uint32_t rcx, rcsr;
};

// xmm0 = a, xmm1 = b, EAX/EDX/ECX and MXCSR set, the instruction, then
// xmm0, ECX, MXCSR and RFLAGS read back.
#define HOST_XMM(fn, insn)                                                                          \
  void fn(HostIo& io) {                                                                             \
    asm volatile("movdqu %[a], %%xmm0\n\tmovdqu %[b], %%xmm1\n\tmovl %[eax], %%eax\n\t"             \
                 "movl %[edx], %%edx\n\tmovl %[ecx], %%ecx\n\tldmxcsr %[csr]\n\t" insn "\n\t"        \
                 "stmxcsr %[rcsr]\n\tpushfq\n\tpopq %[fl]\n\tmovdqu %%xmm0, %[ra]\n\tmovl %%ecx, %[rcx]" \
                 : [ra] "=m"(io.ra), [fl] "=r"(io.rflags), [rcx] "=m"(io.rcx), [rcsr] "=m"(io.rcsr)    \
                 : [a] "m"(io.a), [b] "m"(io.b), [eax] "m"(io.eax), [edx] "m"(io.edx),                \
                   [ecx] "m"(io.ecx), [csr] "m"(io.csr)                                             \
                 : "xmm0", "xmm1", "rax", "rcx", "rdx", "cc", "memory");                             \
  }

// The same with mm0 = a, mm1 = b (low 8 bytes) and mm0 read back.
#define HOST_MMX(fn, insn)                                                                 \
  void fn(HostIo& io) {                                                                    \
    asm volatile("movq %[a], %%mm0\n\tmovq %[b], %%mm1\n\tmovl %[edx], %%edx\n\t" insn  \
                 "\n\tmovq %%mm0, %[ra]\n\temms"                                           \
                 : [ra] "=m"(io.ra)                                                        \
                 : [a] "m"(io.a), [b] "m"(io.b), [edx] "m"(io.edx)                         \
                 : "mm0", "mm1", "rdx", "memory");                                         \
    io.rcsr = io.csr;                                                                      \
  }

struct HostCase {
  const char* name;
  std::initializer_list<uint8_t> bytes;
  void (*host)(HostIo&);
  char kind;  // i integer, f single, d double, t PTEST flags, s string compare, c CRC32,
              // z bit count (ECX and CF/ZF/SF/AF/PF), F/D single/double with
              // EFLAGS, G/H single/double with ECX, m MMX (mm0 and the tags)
};

HOST_XMM(host_haddps, "haddps %%xmm1, %%xmm0")
HOST_XMM(host_haddpd, "haddpd %%xmm1, %%xmm0")
HOST_XMM(host_hsubps, "hsubps %%xmm1, %%xmm0")
HOST_XMM(host_hsubpd, "hsubpd %%xmm1, %%xmm0")
HOST_XMM(host_addsubps, "addsubps %%xmm1, %%xmm0")
HOST_XMM(host_addsubpd, "addsubpd %%xmm1, %%xmm0")
HOST_XMM(host_movddup, "movddup %%xmm1, %%xmm0")
HOST_XMM(host_movshdup, "movshdup %%xmm1, %%xmm0")
HOST_XMM(host_movsldup, "movsldup %%xmm1, %%xmm0")
HOST_XMM(host_pabsb, "pabsb %%xmm1, %%xmm0")
HOST_XMM(host_pabsw, "pabsw %%xmm1, %%xmm0")
HOST_XMM(host_pabsd, "pabsd %%xmm1, %%xmm0")
HOST_XMM(host_psignb, "psignb %%xmm1, %%xmm0")
HOST_XMM(host_psignw, "psignw %%xmm1, %%xmm0")
HOST_XMM(host_psignd, "psignd %%xmm1, %%xmm0")
HOST_XMM(host_pshufb, "pshufb %%xmm1, %%xmm0")
HOST_XMM(host_palignr5, "palignr $5, %%xmm1, %%xmm0")
HOST_XMM(host_palignr20, "palignr $20, %%xmm1, %%xmm0")
HOST_XMM(host_phaddw, "phaddw %%xmm1, %%xmm0")
HOST_XMM(host_phaddd, "phaddd %%xmm1, %%xmm0")
HOST_XMM(host_phaddsw, "phaddsw %%xmm1, %%xmm0")
HOST_XMM(host_phsubw, "phsubw %%xmm1, %%xmm0")
HOST_XMM(host_phsubd, "phsubd %%xmm1, %%xmm0")
HOST_XMM(host_phsubsw, "phsubsw %%xmm1, %%xmm0")
HOST_XMM(host_pmaddubsw, "pmaddubsw %%xmm1, %%xmm0")
HOST_XMM(host_pmulhrsw, "pmulhrsw %%xmm1, %%xmm0")
HOST_XMM(host_blendps, "blendps $0x5, %%xmm1, %%xmm0")
HOST_XMM(host_blendpd, "blendpd $0x2, %%xmm1, %%xmm0")
HOST_XMM(host_pblendw, "pblendw $0xA6, %%xmm1, %%xmm0")
HOST_XMM(host_blendvps, "blendvps %%xmm0, %%xmm1, %%xmm0")
HOST_XMM(host_pblendvb, "pblendvb %%xmm0, %%xmm1, %%xmm0")
HOST_XMM(host_dpps, "dpps $0xF3, %%xmm1, %%xmm0")
HOST_XMM(host_dpps2, "dpps $0x5C, %%xmm1, %%xmm0")
HOST_XMM(host_dppd, "dppd $0x31, %%xmm1, %%xmm0")
HOST_XMM(host_roundps, "roundps $0x1, %%xmm1, %%xmm0")
HOST_XMM(host_roundps4, "roundps $0x4, %%xmm1, %%xmm0")
HOST_XMM(host_roundpd, "roundpd $0xA, %%xmm1, %%xmm0")
HOST_XMM(host_roundss, "roundss $0x3, %%xmm1, %%xmm0")
HOST_XMM(host_roundsd, "roundsd $0x0, %%xmm1, %%xmm0")
HOST_XMM(host_insertps, "insertps $0x9C, %%xmm1, %%xmm0")
HOST_XMM(host_mpsadbw, "mpsadbw $0x5, %%xmm1, %%xmm0")
HOST_XMM(host_phminposuw, "phminposuw %%xmm1, %%xmm0")
HOST_XMM(host_pminsb, "pminsb %%xmm1, %%xmm0")
HOST_XMM(host_pmaxud, "pmaxud %%xmm1, %%xmm0")
HOST_XMM(host_pminuw, "pminuw %%xmm1, %%xmm0")
HOST_XMM(host_pmaxsd, "pmaxsd %%xmm1, %%xmm0")
HOST_XMM(host_pmulld, "pmulld %%xmm1, %%xmm0")
HOST_XMM(host_pmuldq, "pmuldq %%xmm1, %%xmm0")
HOST_XMM(host_pcmpeqq, "pcmpeqq %%xmm1, %%xmm0")
HOST_XMM(host_pcmpgtq, "pcmpgtq %%xmm1, %%xmm0")
HOST_XMM(host_packusdw, "packusdw %%xmm1, %%xmm0")
HOST_XMM(host_pmovsxbw, "pmovsxbw %%xmm1, %%xmm0")
HOST_XMM(host_pmovzxwq, "pmovzxwq %%xmm1, %%xmm0")
HOST_XMM(host_pmovsxdq, "pmovsxdq %%xmm1, %%xmm0")
HOST_XMM(host_ptest, "ptest %%xmm1, %%xmm0")
HOST_XMM(host_pcmpistri_0c, "pcmpistri $0x0C, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpistri_00, "pcmpistri $0x00, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpistri_44, "pcmpistri $0x44, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpistri_18, "pcmpistri $0x18, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpistri_3a, "pcmpistri $0x3A, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpestri_0d, "pcmpestri $0x0D, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpestri_34, "pcmpestri $0x34, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpestri_4e, "pcmpestri $0x4E, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpistrm_40, "pcmpistrm $0x40, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpistrm_08, "pcmpistrm $0x08, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpestrm_45, "pcmpestrm $0x45, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpestrm_3c, "pcmpestrm $0x3C, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpestrm_12, "pcmpestrm $0x12, %%xmm1, %%xmm0")
HOST_XMM(host_pcmpistri_2f, "pcmpistri $0x2F, %%xmm1, %%xmm0")
HOST_XMM(host_crc32b, "crc32b %%dl, %%ecx")
HOST_XMM(host_crc32l, "crc32l %%edx, %%ecx")
HOST_XMM(host_addps, "addps %%xmm1, %%xmm0")
HOST_XMM(host_subpd, "subpd %%xmm1, %%xmm0")
HOST_XMM(host_mulss, "mulss %%xmm1, %%xmm0")
HOST_XMM(host_divpd, "divpd %%xmm1, %%xmm0")
HOST_XMM(host_maxps, "maxps %%xmm1, %%xmm0")
HOST_XMM(host_minsd, "minsd %%xmm1, %%xmm0")
HOST_XMM(host_sqrtps, "sqrtps %%xmm1, %%xmm0")
HOST_XMM(host_sqrtsd, "sqrtsd %%xmm1, %%xmm0")
HOST_XMM(host_cmpleps, "cmpps $2, %%xmm1, %%xmm0")
HOST_XMM(host_cmpneqps, "cmpps $4, %%xmm1, %%xmm0")
HOST_XMM(host_cmpnltsd, "cmpsd $5, %%xmm1, %%xmm0")
HOST_XMM(host_cmpordpd, "cmppd $7, %%xmm1, %%xmm0")
HOST_XMM(host_comiss, "comiss %%xmm1, %%xmm0")
HOST_XMM(host_ucomiss, "ucomiss %%xmm1, %%xmm0")
HOST_XMM(host_comisd, "comisd %%xmm1, %%xmm0")
HOST_XMM(host_cvtps2pd, "cvtps2pd %%xmm1, %%xmm0")
HOST_XMM(host_cvtpd2dq, "cvtpd2dq %%xmm1, %%xmm0")
HOST_XMM(host_cvttps2dq, "cvttps2dq %%xmm1, %%xmm0")
HOST_XMM(host_cvtdq2pd, "cvtdq2pd %%xmm1, %%xmm0")
HOST_XMM(host_cvtss2sd, "cvtss2sd %%xmm1, %%xmm0")
HOST_XMM(host_cvtsd2ss, "cvtsd2ss %%xmm1, %%xmm0")
HOST_XMM(host_cvtss2si, "cvtss2si %%xmm1, %%ecx")
HOST_XMM(host_cvttsd2si, "cvttsd2si %%xmm1, %%ecx")
HOST_XMM(host_cvtsi2ss, "cvtsi2ss %%edx, %%xmm0")
HOST_XMM(host_cvtsi2sd, "cvtsi2sd %%edx, %%xmm0")
HOST_XMM(host_shufps, "shufps $0x1B, %%xmm1, %%xmm0")
HOST_XMM(host_unpcklpd, "unpcklpd %%xmm1, %%xmm0")
HOST_XMM(host_andnps, "andnps %%xmm1, %%xmm0")
HOST_XMM(host_xorpd, "xorpd %%xmm1, %%xmm0")
HOST_XMM(host_movss, "movss %%xmm1, %%xmm0")
HOST_XMM(host_movsd, "movsd %%xmm1, %%xmm0")
HOST_XMM(host_movhlps, "movhlps %%xmm1, %%xmm0")
HOST_XMM(host_movlhps, "movlhps %%xmm1, %%xmm0")
HOST_XMM(host_movmskps, "movmskps %%xmm1, %%ecx")
HOST_XMM(host_movmskpd, "movmskpd %%xmm1, %%ecx")
HOST_XMM(host_pmovmskb, "pmovmskb %%xmm1, %%ecx")
HOST_XMM(host_pextrw, "pextrw $5, %%xmm1, %%ecx")
HOST_XMM(host_pinsrw, "pinsrw $3, %%edx, %%xmm0")
HOST_XMM(host_movd, "movd %%edx, %%xmm0")
HOST_XMM(host_movq, "movq %%xmm1, %%xmm0")
HOST_XMM(host_paddq, "paddq %%xmm1, %%xmm0")
HOST_XMM(host_psubsw, "psubsw %%xmm1, %%xmm0")
HOST_XMM(host_pmullw, "pmullw %%xmm1, %%xmm0")
HOST_XMM(host_pmulhw, "pmulhw %%xmm1, %%xmm0")
HOST_XMM(host_pmuludq, "pmuludq %%xmm1, %%xmm0")
HOST_XMM(host_pcmpgtb, "pcmpgtb %%xmm1, %%xmm0")
HOST_XMM(host_pcmpeqw, "pcmpeqw %%xmm1, %%xmm0")
HOST_XMM(host_pminub, "pminub %%xmm1, %%xmm0")
HOST_XMM(host_pmaxsw, "pmaxsw %%xmm1, %%xmm0")
HOST_XMM(host_pavgb, "pavgb %%xmm1, %%xmm0")
HOST_XMM(host_psllq, "psllq %%xmm1, %%xmm0")
HOST_XMM(host_psrad_i, "psrad $9, %%xmm0")
HOST_XMM(host_psrlw_i, "psrlw $17, %%xmm0")
HOST_XMM(host_pslldq, "pslldq $5, %%xmm0")
HOST_XMM(host_psrldq, "psrldq $11, %%xmm0")
HOST_XMM(host_pshuflw, "pshuflw $0x72, %%xmm1, %%xmm0")
HOST_XMM(host_punpckldq, "punpckldq %%xmm1, %%xmm0")
HOST_XMM(host_punpcklqdq, "punpcklqdq %%xmm1, %%xmm0")
HOST_XMM(host_packsswb, "packsswb %%xmm1, %%xmm0")
HOST_XMM(host_extractps, "extractps $2, %%xmm1, %%ecx")
HOST_XMM(host_pextrb, "pextrb $9, %%xmm1, %%ecx")
HOST_XMM(host_pinsrd, "pinsrd $2, %%edx, %%xmm0")
HOST_XMM(host_pinsrb, "pinsrb $13, %%edx, %%xmm0")
HOST_XMM(host_blendvpd, "blendvpd %%xmm0, %%xmm1, %%xmm0")
HOST_XMM(host_pmovsxwd, "pmovsxwd %%xmm1, %%xmm0")
HOST_XMM(host_pmovzxbd, "pmovzxbd %%xmm1, %%xmm0")
HOST_XMM(host_pminsd, "pminsd %%xmm1, %%xmm0")
HOST_XMM(host_pmaxuw, "pmaxuw %%xmm1, %%xmm0")
HOST_MMX(host_mmx_paddsw, "paddsw %%mm1, %%mm0")
HOST_MMX(host_mmx_psubusb, "psubusb %%mm1, %%mm0")
HOST_MMX(host_mmx_pmaddwd, "pmaddwd %%mm1, %%mm0")
HOST_MMX(host_mmx_packuswb, "packuswb %%mm1, %%mm0")
HOST_MMX(host_mmx_punpckhwd, "punpckhwd %%mm1, %%mm0")
HOST_MMX(host_mmx_punpcklbw, "punpcklbw %%mm1, %%mm0")
HOST_MMX(host_mmx_psraw, "psraw %%mm1, %%mm0")
HOST_MMX(host_mmx_psllw_i, "psllw $3, %%mm0")
HOST_MMX(host_mmx_pcmpgtd, "pcmpgtd %%mm1, %%mm0")
HOST_MMX(host_mmx_pandn, "pandn %%mm1, %%mm0")
HOST_MMX(host_mmx_pshufw, "pshufw $0x39, %%mm1, %%mm0")
HOST_MMX(host_mmx_psadbw, "psadbw %%mm1, %%mm0")
HOST_MMX(host_mmx_pmulhuw, "pmulhuw %%mm1, %%mm0")
HOST_MMX(host_mmx_pavgw, "pavgw %%mm1, %%mm0")
HOST_MMX(host_mmx_pmuludq, "pmuludq %%mm1, %%mm0")
HOST_MMX(host_mmx_pshufb, "pshufb %%mm1, %%mm0")
HOST_MMX(host_mmx_palignr, "palignr $3, %%mm1, %%mm0")
HOST_MMX(host_mmx_phaddw, "phaddw %%mm1, %%mm0")
HOST_MMX(host_mmx_psignw, "psignw %%mm1, %%mm0")
HOST_MMX(host_mmx_pabsb, "pabsb %%mm1, %%mm0")
HOST_MMX(host_mmx_pmulhrsw, "pmulhrsw %%mm1, %%mm0")
HOST_MMX(host_mmx_pmaddubsw, "pmaddubsw %%mm1, %%mm0")
HOST_MMX(host_mmx_paddq, "paddq %%mm1, %%mm0")
HOST_MMX(host_mmx_pinsrw, "pinsrw $2, %%edx, %%mm0")
HOST_XMM(host_lzcntl, "lzcntl %%edx, %%ecx")
HOST_XMM(host_lzcntw, "lzcntw %%dx, %%cx")
HOST_XMM(host_popcntl, "popcntl %%edx, %%ecx")
HOST_XMM(host_pmaddwd, "pmaddwd %%xmm1, %%xmm0")
HOST_XMM(host_psadbw, "psadbw %%xmm1, %%xmm0")
HOST_XMM(host_pmulhuw, "pmulhuw %%xmm1, %%xmm0")
HOST_XMM(host_packuswb, "packuswb %%xmm1, %%xmm0")
HOST_XMM(host_packssdw, "packssdw %%xmm1, %%xmm0")
HOST_XMM(host_punpckhbw, "punpckhbw %%xmm1, %%xmm0")
HOST_XMM(host_pavgw, "pavgw %%xmm1, %%xmm0")
HOST_XMM(host_psraw, "psraw %%xmm1, %%xmm0")
HOST_XMM(host_psrld, "psrld %%xmm1, %%xmm0")
HOST_XMM(host_pshufhw, "pshufhw $0x9C, %%xmm1, %%xmm0")
HOST_XMM(host_shufpd, "shufpd $0x1, %%xmm1, %%xmm0")
HOST_XMM(host_unpckhps, "unpckhps %%xmm1, %%xmm0")
HOST_XMM(host_psubusw, "psubusw %%xmm1, %%xmm0")
HOST_XMM(host_paddsb, "paddsb %%xmm1, %%xmm0")
HOST_XMM(host_cvtdq2ps, "cvtdq2ps %%xmm1, %%xmm0")
HOST_XMM(host_cvtps2dq, "cvtps2dq %%xmm1, %%xmm0")
HOST_XMM(host_cvttpd2dq, "cvttpd2dq %%xmm1, %%xmm0")
HOST_XMM(host_cvtpd2ps, "cvtpd2ps %%xmm1, %%xmm0")
HOST_XMM(host_cmpunordpd, "cmppd $3, %%xmm1, %%xmm0")
HOST_XMM(host_minpd, "minpd %%xmm1, %%xmm0")

const HostCase kHostCases[] = {
    {"haddps", {0xf2, 0x0f, 0x7c, 0xc1}, host_haddps, 'f'},
    {"haddpd", {0x66, 0x0f, 0x7c, 0xc1}, host_haddpd, 'd'},
    {"hsubps", {0xf2, 0x0f, 0x7d, 0xc1}, host_hsubps, 'f'},
    {"hsubpd", {0x66, 0x0f, 0x7d, 0xc1}, host_hsubpd, 'd'},
    {"addsubps", {0xf2, 0x0f, 0xd0, 0xc1}, host_addsubps, 'f'},
    {"addsubpd", {0x66, 0x0f, 0xd0, 0xc1}, host_addsubpd, 'd'},
    {"movddup", {0xf2, 0x0f, 0x12, 0xc1}, host_movddup, 'i'},
    {"movshdup", {0xf3, 0x0f, 0x16, 0xc1}, host_movshdup, 'i'},
    {"movsldup", {0xf3, 0x0f, 0x12, 0xc1}, host_movsldup, 'i'},
    {"pabsb", {0x66, 0x0f, 0x38, 0x1c, 0xc1}, host_pabsb, 'i'},
    {"pabsw", {0x66, 0x0f, 0x38, 0x1d, 0xc1}, host_pabsw, 'i'},
    {"pabsd", {0x66, 0x0f, 0x38, 0x1e, 0xc1}, host_pabsd, 'i'},
    {"psignb", {0x66, 0x0f, 0x38, 0x08, 0xc1}, host_psignb, 'i'},
    {"psignw", {0x66, 0x0f, 0x38, 0x09, 0xc1}, host_psignw, 'i'},
    {"psignd", {0x66, 0x0f, 0x38, 0x0a, 0xc1}, host_psignd, 'i'},
    {"pshufb", {0x66, 0x0f, 0x38, 0x00, 0xc1}, host_pshufb, 'i'},
    {"palignr5", {0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x05}, host_palignr5, 'i'},
    {"palignr20", {0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x14}, host_palignr20, 'i'},
    {"phaddw", {0x66, 0x0f, 0x38, 0x01, 0xc1}, host_phaddw, 'i'},
    {"phaddd", {0x66, 0x0f, 0x38, 0x02, 0xc1}, host_phaddd, 'i'},
    {"phaddsw", {0x66, 0x0f, 0x38, 0x03, 0xc1}, host_phaddsw, 'i'},
    {"phsubw", {0x66, 0x0f, 0x38, 0x05, 0xc1}, host_phsubw, 'i'},
    {"phsubd", {0x66, 0x0f, 0x38, 0x06, 0xc1}, host_phsubd, 'i'},
    {"phsubsw", {0x66, 0x0f, 0x38, 0x07, 0xc1}, host_phsubsw, 'i'},
    {"pmaddubsw", {0x66, 0x0f, 0x38, 0x04, 0xc1}, host_pmaddubsw, 'i'},
    {"pmulhrsw", {0x66, 0x0f, 0x38, 0x0b, 0xc1}, host_pmulhrsw, 'i'},
    {"blendps", {0x66, 0x0f, 0x3a, 0x0c, 0xc1, 0x05}, host_blendps, 'i'},
    {"blendpd", {0x66, 0x0f, 0x3a, 0x0d, 0xc1, 0x02}, host_blendpd, 'i'},
    {"pblendw", {0x66, 0x0f, 0x3a, 0x0e, 0xc1, 0xa6}, host_pblendw, 'i'},
    {"blendvps", {0x66, 0x0f, 0x38, 0x14, 0xc1}, host_blendvps, 'i'},
    {"pblendvb", {0x66, 0x0f, 0x38, 0x10, 0xc1}, host_pblendvb, 'i'},
    {"dpps", {0x66, 0x0f, 0x3a, 0x40, 0xc1, 0xf3}, host_dpps, 'f'},
    {"dpps2", {0x66, 0x0f, 0x3a, 0x40, 0xc1, 0x5c}, host_dpps2, 'f'},
    {"dppd", {0x66, 0x0f, 0x3a, 0x41, 0xc1, 0x31}, host_dppd, 'd'},
    {"roundps", {0x66, 0x0f, 0x3a, 0x08, 0xc1, 0x01}, host_roundps, 'f'},
    {"roundps4", {0x66, 0x0f, 0x3a, 0x08, 0xc1, 0x04}, host_roundps4, 'f'},
    {"roundpd", {0x66, 0x0f, 0x3a, 0x09, 0xc1, 0x0a}, host_roundpd, 'd'},
    {"roundss", {0x66, 0x0f, 0x3a, 0x0a, 0xc1, 0x03}, host_roundss, 'f'},
    {"roundsd", {0x66, 0x0f, 0x3a, 0x0b, 0xc1, 0x00}, host_roundsd, 'd'},
    {"insertps", {0x66, 0x0f, 0x3a, 0x21, 0xc1, 0x9c}, host_insertps, 'i'},
    {"mpsadbw", {0x66, 0x0f, 0x3a, 0x42, 0xc1, 0x05}, host_mpsadbw, 'i'},
    {"phminposuw", {0x66, 0x0f, 0x38, 0x41, 0xc1}, host_phminposuw, 'i'},
    {"pminsb", {0x66, 0x0f, 0x38, 0x38, 0xc1}, host_pminsb, 'i'},
    {"pmaxud", {0x66, 0x0f, 0x38, 0x3f, 0xc1}, host_pmaxud, 'i'},
    {"pminuw", {0x66, 0x0f, 0x38, 0x3a, 0xc1}, host_pminuw, 'i'},
    {"pmaxsd", {0x66, 0x0f, 0x38, 0x3d, 0xc1}, host_pmaxsd, 'i'},
    {"pmulld", {0x66, 0x0f, 0x38, 0x40, 0xc1}, host_pmulld, 'i'},
    {"pmuldq", {0x66, 0x0f, 0x38, 0x28, 0xc1}, host_pmuldq, 'i'},
    {"pcmpeqq", {0x66, 0x0f, 0x38, 0x29, 0xc1}, host_pcmpeqq, 'i'},
    {"pcmpgtq", {0x66, 0x0f, 0x38, 0x37, 0xc1}, host_pcmpgtq, 'i'},
    {"packusdw", {0x66, 0x0f, 0x38, 0x2b, 0xc1}, host_packusdw, 'i'},
    {"pmovsxbw", {0x66, 0x0f, 0x38, 0x20, 0xc1}, host_pmovsxbw, 'i'},
    {"pmovzxwq", {0x66, 0x0f, 0x38, 0x34, 0xc1}, host_pmovzxwq, 'i'},
    {"pmovsxdq", {0x66, 0x0f, 0x38, 0x25, 0xc1}, host_pmovsxdq, 'i'},
    {"ptest", {0x66, 0x0f, 0x38, 0x17, 0xc1}, host_ptest, 't'},
    {"pcmpistri_0c", {0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x0c}, host_pcmpistri_0c, 's'},
    {"pcmpistri_00", {0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x00}, host_pcmpistri_00, 's'},
    {"pcmpistri_44", {0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x44}, host_pcmpistri_44, 's'},
    {"pcmpistri_18", {0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x18}, host_pcmpistri_18, 's'},
    {"pcmpistri_3a", {0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x3a}, host_pcmpistri_3a, 's'},
    {"pcmpestri_0d", {0x66, 0x0f, 0x3a, 0x61, 0xc1, 0x0d}, host_pcmpestri_0d, 's'},
    {"pcmpestri_34", {0x66, 0x0f, 0x3a, 0x61, 0xc1, 0x34}, host_pcmpestri_34, 's'},
    {"pcmpestri_4e", {0x66, 0x0f, 0x3a, 0x61, 0xc1, 0x4e}, host_pcmpestri_4e, 's'},
    {"pcmpistrm_40", {0x66, 0x0f, 0x3a, 0x62, 0xc1, 0x40}, host_pcmpistrm_40, 's'},
    {"pcmpistrm_08", {0x66, 0x0f, 0x3a, 0x62, 0xc1, 0x08}, host_pcmpistrm_08, 's'},
    {"pcmpestrm_45", {0x66, 0x0f, 0x3a, 0x60, 0xc1, 0x45}, host_pcmpestrm_45, 's'},
    {"pcmpestrm_3c", {0x66, 0x0f, 0x3a, 0x60, 0xc1, 0x3c}, host_pcmpestrm_3c, 's'},
    {"pcmpestrm_12", {0x66, 0x0f, 0x3a, 0x60, 0xc1, 0x12}, host_pcmpestrm_12, 's'},
    {"pcmpistri_2f", {0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x2f}, host_pcmpistri_2f, 's'},
    {"crc32b", {0xf2, 0x0f, 0x38, 0xf0, 0xca}, host_crc32b, 'c'},
    {"crc32l", {0x66, 0xf2, 0x0f, 0x38, 0xf1, 0xca}, host_crc32l, 'c'},
    {"addps", {0x0f, 0x58, 0xc1}, host_addps, 'f'},
    {"subpd", {0x66, 0x0f, 0x5c, 0xc1}, host_subpd, 'd'},
    {"mulss", {0xf3, 0x0f, 0x59, 0xc1}, host_mulss, 'f'},
    {"divpd", {0x66, 0x0f, 0x5e, 0xc1}, host_divpd, 'd'},
    {"maxps", {0x0f, 0x5f, 0xc1}, host_maxps, 'f'},
    {"minsd", {0xf2, 0x0f, 0x5d, 0xc1}, host_minsd, 'd'},
    {"sqrtps", {0x0f, 0x51, 0xc1}, host_sqrtps, 'f'},
    {"sqrtsd", {0xf2, 0x0f, 0x51, 0xc1}, host_sqrtsd, 'd'},
    {"cmpleps", {0x0f, 0xc2, 0xc1, 0x02}, host_cmpleps, 'f'},
    {"cmpneqps", {0x0f, 0xc2, 0xc1, 0x04}, host_cmpneqps, 'f'},
    {"cmpnltsd", {0xf2, 0x0f, 0xc2, 0xc1, 0x05}, host_cmpnltsd, 'd'},
    {"cmpordpd", {0x66, 0x0f, 0xc2, 0xc1, 0x07}, host_cmpordpd, 'd'},
    {"comiss", {0x0f, 0x2f, 0xc1}, host_comiss, 'F'},
    {"ucomiss", {0x0f, 0x2e, 0xc1}, host_ucomiss, 'F'},
    {"comisd", {0x66, 0x0f, 0x2f, 0xc1}, host_comisd, 'D'},
    {"cvtps2pd", {0x0f, 0x5a, 0xc1}, host_cvtps2pd, 'f'},
    {"cvtpd2dq", {0xf2, 0x0f, 0xe6, 0xc1}, host_cvtpd2dq, 'd'},
    {"cvttps2dq", {0xf3, 0x0f, 0x5b, 0xc1}, host_cvttps2dq, 'f'},
    {"cvtdq2pd", {0xf3, 0x0f, 0xe6, 0xc1}, host_cvtdq2pd, 'i'},
    {"cvtss2sd", {0xf3, 0x0f, 0x5a, 0xc1}, host_cvtss2sd, 'f'},
    {"cvtsd2ss", {0xf2, 0x0f, 0x5a, 0xc1}, host_cvtsd2ss, 'd'},
    {"cvtss2si", {0xf3, 0x0f, 0x2d, 0xc9}, host_cvtss2si, 'G'},
    {"cvttsd2si", {0xf2, 0x0f, 0x2c, 0xc9}, host_cvttsd2si, 'H'},
    {"cvtsi2ss", {0xf3, 0x0f, 0x2a, 0xc2}, host_cvtsi2ss, 'i'},
    {"cvtsi2sd", {0xf2, 0x0f, 0x2a, 0xc2}, host_cvtsi2sd, 'i'},
    {"shufps", {0x0f, 0xc6, 0xc1, 0x1b}, host_shufps, 'i'},
    {"unpcklpd", {0x66, 0x0f, 0x14, 0xc1}, host_unpcklpd, 'i'},
    {"andnps", {0x0f, 0x55, 0xc1}, host_andnps, 'i'},
    {"xorpd", {0x66, 0x0f, 0x57, 0xc1}, host_xorpd, 'i'},
    {"movss", {0xf3, 0x0f, 0x10, 0xc1}, host_movss, 'i'},
    {"movsd", {0xf2, 0x0f, 0x10, 0xc1}, host_movsd, 'i'},
    {"movhlps", {0x0f, 0x12, 0xc1}, host_movhlps, 'i'},
    {"movlhps", {0x0f, 0x16, 0xc1}, host_movlhps, 'i'},
    {"movmskps", {0x0f, 0x50, 0xc9}, host_movmskps, 'c'},
    {"movmskpd", {0x66, 0x0f, 0x50, 0xc9}, host_movmskpd, 'c'},
    {"pmovmskb", {0x66, 0x0f, 0xd7, 0xc9}, host_pmovmskb, 'c'},
    {"pextrw", {0x66, 0x0f, 0xc5, 0xc9, 0x05}, host_pextrw, 'c'},
    {"pinsrw", {0x66, 0x0f, 0xc4, 0xc2, 0x03}, host_pinsrw, 'i'},
    {"movd", {0x66, 0x0f, 0x6e, 0xc2}, host_movd, 'i'},
    {"movq", {0xf3, 0x0f, 0x7e, 0xc1}, host_movq, 'i'},
    {"paddq", {0x66, 0x0f, 0xd4, 0xc1}, host_paddq, 'i'},
    {"psubsw", {0x66, 0x0f, 0xe9, 0xc1}, host_psubsw, 'i'},
    {"pmullw", {0x66, 0x0f, 0xd5, 0xc1}, host_pmullw, 'i'},
    {"pmulhw", {0x66, 0x0f, 0xe5, 0xc1}, host_pmulhw, 'i'},
    {"pmuludq", {0x66, 0x0f, 0xf4, 0xc1}, host_pmuludq, 'i'},
    {"pcmpgtb", {0x66, 0x0f, 0x64, 0xc1}, host_pcmpgtb, 'i'},
    {"pcmpeqw", {0x66, 0x0f, 0x75, 0xc1}, host_pcmpeqw, 'i'},
    {"pminub", {0x66, 0x0f, 0xda, 0xc1}, host_pminub, 'i'},
    {"pmaxsw", {0x66, 0x0f, 0xee, 0xc1}, host_pmaxsw, 'i'},
    {"pavgb", {0x66, 0x0f, 0xe0, 0xc1}, host_pavgb, 'i'},
    {"psllq", {0x66, 0x0f, 0xf3, 0xc1}, host_psllq, 'i'},
    {"psrad_i", {0x66, 0x0f, 0x72, 0xe0, 0x09}, host_psrad_i, 'i'},
    {"psrlw_i", {0x66, 0x0f, 0x71, 0xd0, 0x11}, host_psrlw_i, 'i'},
    {"pslldq", {0x66, 0x0f, 0x73, 0xf8, 0x05}, host_pslldq, 'i'},
    {"psrldq", {0x66, 0x0f, 0x73, 0xd8, 0x0b}, host_psrldq, 'i'},
    {"pshuflw", {0xf2, 0x0f, 0x70, 0xc1, 0x72}, host_pshuflw, 'i'},
    {"punpckldq", {0x66, 0x0f, 0x62, 0xc1}, host_punpckldq, 'i'},
    {"punpcklqdq", {0x66, 0x0f, 0x6c, 0xc1}, host_punpcklqdq, 'i'},
    {"packsswb", {0x66, 0x0f, 0x63, 0xc1}, host_packsswb, 'i'},
    {"extractps", {0x66, 0x0f, 0x3a, 0x17, 0xc9, 0x02}, host_extractps, 'c'},
    {"pextrb", {0x66, 0x0f, 0x3a, 0x14, 0xc9, 0x09}, host_pextrb, 'c'},
    {"pinsrd", {0x66, 0x0f, 0x3a, 0x22, 0xc2, 0x02}, host_pinsrd, 'i'},
    {"pinsrb", {0x66, 0x0f, 0x3a, 0x20, 0xc2, 0x0d}, host_pinsrb, 'i'},
    {"blendvpd", {0x66, 0x0f, 0x38, 0x15, 0xc1}, host_blendvpd, 'i'},
    {"pmovsxwd", {0x66, 0x0f, 0x38, 0x23, 0xc1}, host_pmovsxwd, 'i'},
    {"pmovzxbd", {0x66, 0x0f, 0x38, 0x31, 0xc1}, host_pmovzxbd, 'i'},
    {"pminsd", {0x66, 0x0f, 0x38, 0x39, 0xc1}, host_pminsd, 'i'},
    {"pmaxuw", {0x66, 0x0f, 0x38, 0x3e, 0xc1}, host_pmaxuw, 'i'},
    {"mmx_paddsw", {0x0f, 0xed, 0xc1}, host_mmx_paddsw, 'm'},
    {"mmx_psubusb", {0x0f, 0xd8, 0xc1}, host_mmx_psubusb, 'm'},
    {"mmx_pmaddwd", {0x0f, 0xf5, 0xc1}, host_mmx_pmaddwd, 'm'},
    {"mmx_packuswb", {0x0f, 0x67, 0xc1}, host_mmx_packuswb, 'm'},
    {"mmx_punpckhwd", {0x0f, 0x69, 0xc1}, host_mmx_punpckhwd, 'm'},
    {"mmx_punpcklbw", {0x0f, 0x60, 0xc1}, host_mmx_punpcklbw, 'm'},
    {"mmx_psraw", {0x0f, 0xe1, 0xc1}, host_mmx_psraw, 'm'},
    {"mmx_psllw_i", {0x0f, 0x71, 0xf0, 0x03}, host_mmx_psllw_i, 'm'},
    {"mmx_pcmpgtd", {0x0f, 0x66, 0xc1}, host_mmx_pcmpgtd, 'm'},
    {"mmx_pandn", {0x0f, 0xdf, 0xc1}, host_mmx_pandn, 'm'},
    {"mmx_pshufw", {0x0f, 0x70, 0xc1, 0x39}, host_mmx_pshufw, 'm'},
    {"mmx_psadbw", {0x0f, 0xf6, 0xc1}, host_mmx_psadbw, 'm'},
    {"mmx_pmulhuw", {0x0f, 0xe4, 0xc1}, host_mmx_pmulhuw, 'm'},
    {"mmx_pavgw", {0x0f, 0xe3, 0xc1}, host_mmx_pavgw, 'm'},
    {"mmx_pmuludq", {0x0f, 0xf4, 0xc1}, host_mmx_pmuludq, 'm'},
    {"mmx_pshufb", {0x0f, 0x38, 0x00, 0xc1}, host_mmx_pshufb, 'm'},
    {"mmx_palignr", {0x0f, 0x3a, 0x0f, 0xc1, 0x03}, host_mmx_palignr, 'm'},
    {"mmx_phaddw", {0x0f, 0x38, 0x01, 0xc1}, host_mmx_phaddw, 'm'},
    {"mmx_psignw", {0x0f, 0x38, 0x09, 0xc1}, host_mmx_psignw, 'm'},
    {"mmx_pabsb", {0x0f, 0x38, 0x1c, 0xc1}, host_mmx_pabsb, 'm'},
    {"mmx_pmulhrsw", {0x0f, 0x38, 0x0b, 0xc1}, host_mmx_pmulhrsw, 'm'},
    {"mmx_pmaddubsw", {0x0f, 0x38, 0x04, 0xc1}, host_mmx_pmaddubsw, 'm'},
    {"mmx_paddq", {0x0f, 0xd4, 0xc1}, host_mmx_paddq, 'm'},
    {"mmx_pinsrw", {0x0f, 0xc4, 0xc2, 0x02}, host_mmx_pinsrw, 'm'},
    {"lzcntl", {0x66, 0xf3, 0x0f, 0xbd, 0xca}, host_lzcntl, 'z'},
    {"lzcntw", {0xf3, 0x0f, 0xbd, 0xca}, host_lzcntw, 'z'},
    {"popcntl", {0x66, 0xf3, 0x0f, 0xb8, 0xca}, host_popcntl, 'z'},
    {"pmaddwd", {0x66, 0x0f, 0xf5, 0xc1}, host_pmaddwd, 'i'},
    {"psadbw", {0x66, 0x0f, 0xf6, 0xc1}, host_psadbw, 'i'},
    {"pmulhuw", {0x66, 0x0f, 0xe4, 0xc1}, host_pmulhuw, 'i'},
    {"packuswb", {0x66, 0x0f, 0x67, 0xc1}, host_packuswb, 'i'},
    {"packssdw", {0x66, 0x0f, 0x6b, 0xc1}, host_packssdw, 'i'},
    {"punpckhbw", {0x66, 0x0f, 0x68, 0xc1}, host_punpckhbw, 'i'},
    {"pavgw", {0x66, 0x0f, 0xe3, 0xc1}, host_pavgw, 'i'},
    {"psraw", {0x66, 0x0f, 0xe1, 0xc1}, host_psraw, 'i'},
    {"psrld", {0x66, 0x0f, 0xd2, 0xc1}, host_psrld, 'i'},
    {"pshufhw", {0xf3, 0x0f, 0x70, 0xc1, 0x9c}, host_pshufhw, 'i'},
    {"shufpd", {0x66, 0x0f, 0xc6, 0xc1, 0x01}, host_shufpd, 'i'},
    {"unpckhps", {0x0f, 0x15, 0xc1}, host_unpckhps, 'i'},
    {"psubusw", {0x66, 0x0f, 0xd9, 0xc1}, host_psubusw, 'i'},
    {"paddsb", {0x66, 0x0f, 0xec, 0xc1}, host_paddsb, 'i'},
    {"cvtdq2ps", {0x0f, 0x5b, 0xc1}, host_cvtdq2ps, 'f'},
    {"cvtps2dq", {0x66, 0x0f, 0x5b, 0xc1}, host_cvtps2dq, 'f'},
    {"cvttpd2dq", {0x66, 0x0f, 0xe6, 0xc1}, host_cvttpd2dq, 'd'},
    {"cvtpd2ps", {0x66, 0x0f, 0x5a, 0xc1}, host_cvtpd2ps, 'd'},
    {"cmpunordpd", {0x66, 0x0f, 0xc2, 0xc1, 0x03}, host_cmpunordpd, 'd'},
    {"minpd", {0x66, 0x0f, 0x5d, 0xc1}, host_minpd, 'd'},
};

struct Operands {
  std::mt19937_64 rng{2024};

  uint32_t single() {
    static constexpr uint32_t kSpecial[] = {0, 0x80000000u, 0x7F800000u, 0xFF800000u, 0x7FC00000u, 0x7FA00001u,
                                            0x00000001u, 0x007FFFFFu, 0x00800000u, 0x7F7FFFFFu, 0x3F800000u,
                                            0x3F000000u, 0x3FC00000u, 0xBFC00000u, 0x4B000001u};
    uint32_t v = rng() % 3 == 0 ? kSpecial[rng() % std::size(kSpecial)] : static_cast<uint32_t>(rng());
    // Keep many values near 1 so rounding and cancellation are exercised.
    if (rng() % 3 == 0) v = (v & 0x807FFFFFu) | ((124u + static_cast<uint32_t>(rng() % 8)) << 23);
    return v;
  }
  uint64_t dbl() {
    static constexpr uint64_t kSpecial[] = {0, 0x8000000000000000ull, 0x7FF0000000000000ull, 0x7FF8000000000000ull,
                                            0x7FF4000000000001ull, 1, 0x000FFFFFFFFFFFFFull, 0x0010000000000000ull,
                                            0x3FF0000000000000ull, 0x3FF8000000000000ull, 0xC004000000000000ull};
    uint64_t v = rng() % 3 == 0 ? kSpecial[rng() % std::size(kSpecial)] : rng();
    if (rng() % 3 == 0) v = (v & 0x800FFFFFFFFFFFFFull) | ((1020ull + rng() % 8) << 52);
    return v;
  }
  void fill(uint8_t* out, char kind) {
    if (kind == 'F' || kind == 'G') kind = 'f';
    if (kind == 'D' || kind == 'H') kind = 'd';
    if (kind == 'f') {
      for (unsigned i = 0; i < 4; ++i) {
        uint32_t v = single();
        std::memcpy(out + 4 * i, &v, 4);
      }
    } else if (kind == 'd') {
      for (unsigned i = 0; i < 2; ++i) {
        uint64_t v = dbl();
        std::memcpy(out + 8 * i, &v, 8);
      }
    } else if (kind == 's') {
      static constexpr uint8_t kAlphabet[] = {'a', 'b', 'c', 'a', 'b', 0, 0x80, 0xFF};
      for (unsigned i = 0; i < 16; ++i) out[i] = kAlphabet[rng() % std::size(kAlphabet)];
      if (rng() % 2)
        for (unsigned i = 0; i < 16; ++i) out[i] = out[i] ? out[i] : 'a';  // no terminator
    } else {
      static constexpr uint8_t kBytes[] = {0, 1, 0x7F, 0x80, 0xFF, 0xFE, 0x81};
      for (unsigned i = 0; i < 16; ++i) out[i] = rng() % 3 ? static_cast<uint8_t>(rng()) : kBytes[rng() % 7];
    }
  }
  uint32_t csr() {
    uint32_t c = 0x1F80 | (static_cast<uint32_t>(rng() % 4) << 13);
    if (rng() % 4 == 0) c |= 0x40;    // DAZ
    if (rng() % 4 == 0) c |= 0x8000;  // FTZ
    return c;
  }
  uint32_t length() {
    static constexpr int32_t kLengths[] = {0, 1, 3, 8, 15, 16, 17, -5, -20, 0x7FFFFFFF, INT32_MIN};
    return static_cast<uint32_t>(kLengths[rng() % std::size(kLengths)]);
  }
};

// Unmasked SIMD exceptions on the host: the instruction raises SIGFPE
// (#XM); the handler takes MXCSR as the fault left it from the signal
// context and jumps back.
sigjmp_buf g_fpe_jump;
uint32_t g_fpe_mxcsr;

void onSigfpe(int, siginfo_t*, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  g_fpe_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
  siglongjmp(g_fpe_jump, 1);
}

// Runs `c.host` with SIGFPE caught: true when it faulted (io.rcsr then holds
// MXCSR at the fault, io.ra is not written).
bool runHostCatchingXm(const HostCase& c, HostIo& io) {
  struct sigaction sa {}, old {};
  sa.sa_sigaction = onSigfpe;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGFPE, &sa, &old);
  bool faulted = false;
  if (sigsetjmp(g_fpe_jump, 1) == 0) {
    c.host(io);
  } else {
    faulted = true;
    io.rcsr = g_fpe_mxcsr;
  }
  sigaction(SIGFPE, &old, nullptr);
  uint32_t standard = 0x1F80;
  asm volatile("ldmxcsr %0" : : "m"(standard));
  return faulted;
}

bool hostHasSse42() {
  unsigned a, b, c, d;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 20)) && (c & (1u << 19)) && (c & (1u << 9));
}

}  // namespace

TEST_CASE("SSE handlers agree with the host CPU (SSE2..SSE4.2 forms)") {
  if (!hostHasSse42()) {
    MESSAGE("host lacks SSE4.2: skipped");
    return;
  }
  sv::testing::RealModeRig rig;
  rig.cpu.state.cr4 |= cr4::OSFXSR | cr4::OSXMMEXCPT;
  Operands gen;
  constexpr int kRounds = 400;
  int checked = 0;
  for (const HostCase& c : kHostCases) {
    int mismatches = 0;
    for (int round = 0; round < kRounds && mismatches < 3; ++round) {
      HostIo io{};
      gen.fill(io.a, c.kind);
      gen.fill(io.b, c.kind);
      if (round % 4 == 0) std::memcpy(io.b, io.a, 16);  // equal operands
      io.eax = gen.length();
      io.edx = gen.length();
      io.ecx = static_cast<uint32_t>(gen.rng());
      if (c.kind == 'z') io.edx = static_cast<uint32_t>(gen.rng() >> (gen.rng() % 64));
      bool fp = std::string("fdFDGH").find(c.kind) != std::string::npos;
      io.csr = fp ? gen.csr() : 0x1F80;
      if (c.kind == 'c' || c.kind == 'i') io.edx = static_cast<uint32_t>(gen.rng());
      c.host(io);

      CpuState& s = rig.cpu.state;
      std::memcpy(&s.xmm[0], io.a, 16);
      std::memcpy(&s.xmm[1], io.b, 16);
      s.gpr[RAX] = io.eax;
      s.gpr[RDX] = io.edx;
      s.gpr[RCX] = io.ecx;
      s.mxcsr = io.csr;
      s.rflags = 0x2;
      s.x87.st[0].mantissa = std::bit_cast<XmmRegister>(io.a).lo;
      s.x87.st[1].mantissa = std::bit_cast<XmmRegister>(io.b).lo;
      s.x87.ftw = 0xFFFF;
      int vector = rig.exec(c.bytes);
      uint8_t got[16];
      std::memcpy(got, &s.xmm[0], 16);
      if (c.kind == 'm') std::memcpy(got, &s.x87.st[0].mantissa, 8);
      bool ok = vector == -1 && std::memcmp(got, io.ra, c.kind == 'm' ? 8 : 16) == 0 && s.mxcsr == io.rcsr;
      if (c.kind == 'm') ok = ok && s.x87.ftw == 0;
      if (c.kind == 't' || c.kind == 's' || c.kind == 'F' || c.kind == 'D')
        ok = ok && (s.rflags & 0x8D5) == (io.rflags & 0x8D5);
      if (c.kind == 'z') ok = ok && (s.rflags & 0xD5) == (io.rflags & 0xD5);
      if (std::string("sczGH").find(c.kind) != std::string::npos)
        ok = ok && static_cast<uint32_t>(s.gpr[RCX]) == io.rcx;
      ++checked;
      if (!ok) {
        ++mismatches;
        uint64_t a[2], b[2], want[2], have[2];
        std::memcpy(a, io.a, 16);
        std::memcpy(b, io.b, 16);
        std::memcpy(want, io.ra, 16);
        std::memcpy(have, got, 16);
        INFO(std::string(c.name) << std::hex << " a=" << a[1] << ":" << a[0] << " b=" << b[1] << ":" << b[0]
                                 << " eax=" << io.eax << " edx=" << io.edx << " csr=" << io.csr << " want "
                                 << want[1] << ":" << want[0] << " mxcsr " << io.rcsr << " fl "
                                 << (io.rflags & 0x8D5) << " ecx " << io.rcx << " got " << have[1] << ":" << have[0]
                                 << " mxcsr " << s.mxcsr << " fl " << (s.rflags & 0x8D5) << " ecx "
                                 << static_cast<uint32_t>(s.gpr[RCX]) << " vector " << vector);
        CHECK(false);
      }
    }
  }
  CHECK(checked > 70000);
}

TEST_CASE("unmasked SIMD exceptions: #XM, the MXCSR flags it leaves, the destination kept, as on the host") {
  if (!hostHasSse42()) {
    MESSAGE("host lacks SSE4.2: skipped");
    return;
  }
  sv::testing::RealModeRig rig;
  rig.cpu.state.cr4 |= cr4::OSFXSR | cr4::OSXMMEXCPT;
  Operands gen;
  int faults = 0, checked = 0;
  for (const HostCase& c : kHostCases) {
    if (c.kind != 'f' && c.kind != 'd') continue;
    int mismatches = 0;
    for (int round = 0; round < 100 && mismatches < 3; ++round) {
      HostIo io{};
      gen.fill(io.a, c.kind);
      gen.fill(io.b, c.kind);
      // Random masks cleared (IM..PM are bits 7..12), random RC/DAZ/FTZ.
      io.csr = gen.csr() & ~(static_cast<uint32_t>(gen.rng() & 0x3F) << 7);
      bool host_faulted = runHostCatchingXm(c, io);

      CpuState& s = rig.cpu.state;
      std::memcpy(&s.xmm[0], io.a, 16);
      std::memcpy(&s.xmm[1], io.b, 16);
      s.mxcsr = io.csr;
      int vector = rig.exec(c.bytes);
      uint8_t got[16];
      std::memcpy(got, &s.xmm[0], 16);
      bool ok = s.mxcsr == io.rcsr;
      if (host_faulted) ok = ok && vector == 19 && std::memcmp(got, io.a, 16) == 0;
      else ok = ok && vector == -1 && std::memcmp(got, io.ra, 16) == 0;
      faults += host_faulted;
      ++checked;
      if (!ok) {
        ++mismatches;
        uint64_t a[2], b[2];
        std::memcpy(a, io.a, 16);
        std::memcpy(b, io.b, 16);
        INFO(std::string(c.name) << std::hex << " a=" << a[1] << ":" << a[0] << " b=" << b[1] << ":" << b[0]
                                 << " csr=" << io.csr << " host " << (host_faulted ? "#XM" : "no fault")
                                 << " mxcsr " << io.rcsr << "; ours vector " << std::dec << vector << std::hex
                                 << " mxcsr " << s.mxcsr);
        CHECK(false);
      }
    }
  }
  CHECK(faults > 500);
  CHECK(checked > 3000);
}

#endif  // __x86_64__

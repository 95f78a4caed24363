; MMX/SSE in 32-bit protected mode (Intel SDM Vol. 3A 13.1-13.4, Vol. 1
; chapters 9-12, Vol. 2 FXSAVE/FXRSTOR):
;   - CPUID.1 advertises MMX, FXSR, SSE, SSE2 and SSE3..SSE4.2, no XSAVE;
;   - CR4.OSFXSR = 0: an SSE instruction is #UD; CR0.TS = 1: #NM;
;   - SSE/SSE2 arithmetic and conversions give the IEEE results;
;   - an unmasked SIMD exception is #XM with CR4.OSXMMEXCPT, #UD without,
;     and leaves the destination alone with MXCSR.ZE set;
;   - MOVAPS on a misaligned address is #GP(0), MOVUPS is fine;
;   - FXSAVE stores FCW, the abridged tag, MXCSR, MXCSR_MASK, ST0 and the
;     XMM registers where Table 10-2 says; FXRSTOR loads them back and
;     refuses reserved MXCSR bits with #GP(0);
;   - MMX instructions make every x87 tag valid, EMMS empties them.
; Ends with isa-debug-exit: status (failures << 1) | 1.
bits 16
cpu x64
org 0xF0000
%include "pm_harness.inc"

DEBUGCON  equ 0xE9
DEBUGEXIT equ 0xF4
GDT_BASE  equ 0x1000
IDT_BASE  equ 0x2000
VARS      equ 0x4000
FXAREA    equ 0x5000             ; 512 bytes, 16-byte aligned
SCRATCH   equ 0x6000
RING0_SP  equ 0x9000

failures  equ VARS + 0
got_vec   equ VARS + 4
got_err   equ VARS + 8
resume    equ VARS + 12

SEL_CODE0 equ 0x08
SEL_DATA0 equ 0x10

CR4_OSFXSR     equ 1 << 9
CR4_OSXMMEXCPT equ 1 << 10

; Sets got_vec = -1 and the resume point, runs one instruction that may
; fault (the handler resumes at the label after it).
%macro TRY 1
    mov dword [got_vec], -1
    mov dword [resume], %%after
    %1
%%after:
%endmacro

; ok when got_vec == %1
%macro EXPECT_VEC 2
    mov esi, %2
    cmp dword [got_vec], %1
    call ok_if_equal
%endmacro

; ok when the 16 bytes of xmm0 equal those at %1 (clobbers xmm7, eax)
%macro EXPECT_XMM0 2
    movdqu xmm7, [%1]
    pcmpeqb xmm7, xmm0
    pmovmskb eax, xmm7
    mov esi, %2
    cmp eax, 0xFFFF
    call ok_if_equal
%endmacro

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov dword [failures], 0
    CLEAR_IDT
    mov dx, 0x8E00
    mov eax, ud_handler
    mov bl, 6
    call set_gate
    mov eax, nm_handler
    mov bl, 7
    call set_gate
    mov eax, gp_handler
    mov bl, 13
    call set_gate
    mov eax, xm_handler
    mov bl, 19
    call set_gate
    lidt [idt_ptr]
    mov esi, msg_banner
    call puts

    ; --- CPUID ---
    mov eax, 1
    cpuid
    and edx, (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26)
    and ecx, (1 << 0) | (1 << 9) | (1 << 19) | (1 << 20) | (1 << 26) | (1 << 28)
    mov esi, msg_cpuid
    cmp edx, (1 << 23) | (1 << 24) | (1 << 25) | (1 << 26)
    jne .f1
    cmp ecx, (1 << 0) | (1 << 9) | (1 << 19) | (1 << 20)
.f1: call ok_if_equal

    ; --- OSFXSR = 0: #UD ---
    mov eax, cr0
    and eax, ~((1 << 2) | (1 << 3))  ; EM = TS = 0
    or eax, (1 << 1) | (1 << 5)      ; MP, NE
    mov cr0, eax
    fninit
    TRY {movaps xmm0, xmm1}
    EXPECT_VEC 6, msg_no_osfxsr

    mov eax, cr4
    or eax, CR4_OSFXSR | CR4_OSXMMEXCPT
    mov cr4, eax

    ; --- CR0.TS: #NM, CLTS clears it ---
    mov eax, cr0
    or eax, 1 << 3
    mov cr0, eax
    TRY {addps xmm0, xmm1}
    EXPECT_VEC 7, msg_ts
    clts

    ; --- arithmetic ---
    movaps xmm0, [vec_a]
    addps xmm0, [vec_b]
    EXPECT_XMM0 vec_sum, msg_addps
    movapd xmm0, [pd_a]
    mulpd xmm0, [pd_b]
    EXPECT_XMM0 pd_prod, msg_mulpd
    mov eax, 2
    cvtsi2sd xmm0, eax
    sqrtsd xmm0, xmm0
    cvtsd2ss xmm0, xmm0
    movd eax, xmm0
    mov esi, msg_sqrt
    cmp eax, 0x3FB504F3          ; sqrt(2) rounded to single
    call ok_if_equal
    movss xmm0, [big]
    cvttss2si eax, xmm0
    mov esi, msg_indefinite
    cmp eax, 0x80000000
    call ok_if_equal
    stmxcsr [SCRATCH]
    mov esi, msg_ie_flag
    test dword [SCRATCH], 1      ; IE
    setnz al
    cmp al, 1
    call ok_if_equal

    ; --- #XM / #UD for an unmasked divide-by-zero ---
    mov dword [SCRATCH], 0x1F80 & ~(1 << 9)   ; ZM clear, flags clear
    ldmxcsr [SCRATCH]
    movss xmm0, [one]
    xorps xmm1, xmm1
    TRY {divss xmm0, xmm1}
    EXPECT_VEC 19, msg_xm
    stmxcsr [SCRATCH]
    mov eax, [SCRATCH]
    and eax, 0x3F
    movd ebx, xmm0
    mov esi, msg_xm_state
    cmp eax, 4                   ; ZE only
    jne .f2
    cmp ebx, 0x3F800000          ; destination unchanged
.f2: call ok_if_equal
    mov eax, cr4
    and eax, ~CR4_OSXMMEXCPT
    mov cr4, eax
    TRY {divss xmm0, xmm1}
    EXPECT_VEC 6, msg_xm_ud
    mov eax, cr4
    or eax, CR4_OSXMMEXCPT
    mov cr4, eax
    mov dword [SCRATCH], 0x1F80
    ldmxcsr [SCRATCH]

    ; --- alignment ---
    TRY {movaps xmm0, [vec_a + 4]}
    mov esi, msg_align
    cmp dword [got_vec], 13
    jne .f3
    cmp dword [got_err], 0
.f3: call ok_if_equal
    TRY {movups xmm0, [vec_a + 4]}
    EXPECT_VEC -1, msg_unaligned

    ; --- FXSAVE layout ---
    fninit
    fld1                         ; TOP = 7, R7 valid
    movdqa xmm2, [vec_a]
    mov dword [SCRATCH], 0x1F80 | (1 << 13)   ; RC = down
    ldmxcsr [SCRATCH]
    fxsave [FXAREA]
    mov esi, msg_fxsave
    cmp word [FXAREA + 0], 0x037F
    jne .f4
    cmp byte [FXAREA + 4], 0x80
    jne .f4
    cmp dword [FXAREA + 24], 0x1F80 | (1 << 13)
    jne .f4
    cmp dword [FXAREA + 28], 0xFFFF
    jne .f4
    cmp dword [FXAREA + 32 + 4], 0x80000000
    jne .f4
    cmp word [FXAREA + 32 + 8], 0x3FFF
    jne .f4
    mov eax, [vec_a + 8]
    cmp [FXAREA + 160 + 2*16 + 8], eax
.f4: call ok_if_equal
    ; FXRSTOR: change xmm2 and MXCSR in the image, load it back.
    mov dword [FXAREA + 160 + 2*16], 0x12345678
    mov dword [FXAREA + 24], 0x1F80
    xorps xmm2, xmm2
    fxrstor [FXAREA]
    movd eax, xmm2
    stmxcsr [SCRATCH]
    mov esi, msg_fxrstor
    cmp eax, 0x12345678
    jne .f5
    cmp dword [SCRATCH], 0x1F80
.f5: call ok_if_equal
    mov dword [FXAREA + 24], 0x10000
    TRY {fxrstor [FXAREA]}
    EXPECT_VEC 13, msg_fxrstor_gp
    TRY {fxsave [FXAREA + 8]}
    EXPECT_VEC 13, msg_fxsave_align

    ; --- MMX and the x87 tags ---
    fninit
    movq mm0, [mmx_a]
    paddb mm0, [mmx_b]
    movq [SCRATCH], mm0
    fnstenv [SCRATCH + 16]
    mov esi, msg_mmx
    mov eax, [mmx_sum]
    cmp [SCRATCH], eax
    jne .f6
    mov eax, [mmx_sum + 4]
    cmp [SCRATCH + 4], eax
    jne .f6
    cmp word [SCRATCH + 16 + 8], 0     ; every tag valid
.f6: call ok_if_equal
    emms
    fnstenv [SCRATCH + 16]
    mov esi, msg_emms
    cmp word [SCRATCH + 16 + 8], 0xFFFF
    call ok_if_equal

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; Handlers: record the vector (and error code) and continue at [resume].
ud_handler:
    mov dword [got_vec], 6
    jmp resume_no_error
nm_handler:
    mov dword [got_vec], 7
    jmp resume_no_error
xm_handler:
    mov dword [got_vec], 19
    jmp resume_no_error
gp_handler:
    mov dword [got_vec], 13
    pop dword [got_err]
resume_no_error:
    push eax
    mov eax, [resume]
    mov [esp + 4], eax
    pop eax
    iretd

PM_HARNESS_ROUTINES

idt_ptr: dw 256*8 - 1
         dd IDT_BASE

msg_banner:       db "MMX/SSE test", 10, 0
msg_cpuid:        db "CPUID.1 advertises MMX, FXSR, SSE, SSE2, SSE3..SSE4.2, no XSAVE/AVX", 0
msg_no_osfxsr:    db "CR4.OSFXSR = 0: MOVAPS is #UD", 0
msg_ts:           db "CR0.TS = 1: ADDPS is #NM", 0
msg_addps:        db "ADDPS", 0
msg_mulpd:        db "MULPD", 0
msg_sqrt:         db "CVTSI2SD, SQRTSD, CVTSD2SS round to nearest", 0
msg_indefinite:   db "CVTTSS2SI out of range gives the integer indefinite", 0
msg_ie_flag:      db "... and sets MXCSR.IE", 0
msg_xm:           db "unmasked divide-by-zero is #XM with OSXMMEXCPT", 0
msg_xm_state:     db "#XM sets ZE and leaves the destination alone", 0
msg_xm_ud:        db "without OSXMMEXCPT it is #UD", 0
msg_align:        db "MOVAPS misaligned is #GP(0)", 0
msg_unaligned:    db "MOVUPS misaligned is fine", 0
msg_fxsave:       db "FXSAVE: FCW, abridged tag, MXCSR, MXCSR_MASK, ST0, XMM2 in place", 0
msg_fxrstor:      db "FXRSTOR loads XMM2 and MXCSR back", 0
msg_fxrstor_gp:   db "FXRSTOR with a reserved MXCSR bit is #GP", 0
msg_fxsave_align: db "FXSAVE misaligned is #GP", 0
msg_mmx:          db "PADDB on MMX registers; every x87 tag valid afterwards", 0
msg_emms:         db "EMMS empties the tags", 0

align 16
vec_a:   dd 1.0, 2.0, -3.5, 1.0e10
vec_b:   dd 0.5, -2.0, 3.5, 1.0
vec_sum: dd 1.5, 0.0, 0.0, 1.0e10
pd_a:    dq 3.0, -0.1
pd_b:    dq 0.5, 10.0
pd_prod: dq 1.5, -1.0
one:     dd 1.0
big:     dd 3.0e9
mmx_a:   dq 0x80FF7F0001020304
mmx_b:   dq 0x8001010101010101
mmx_sum: dq 0x0000800102030405

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code, ring 0
    dq 0x00CF93000000FFFF       ; 0x10 data, ring 0
gdt_end:

RESET_VECTOR start16

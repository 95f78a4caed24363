; Long mode (IA-32e), checked per Intel SDM Vol. 3A 2.5/9.8.5 (activation),
; 4.5 (4-level paging), 5.8.3.1 (64-bit call gates), 6.14 (64-bit interrupt
; delivery, IST, stack alignment) and Vol. 2 (SYSCALL/SYSRET, SWAPGS,
; CMPXCHG16B, MOVSXD, REX):
;   protected mode: CR0.PG with EFER.LME but no CR4.PAE -> #GP(0); with PAE
;   it activates IA-32e mode (EFER.LMA = 1) in compatibility mode;
;   64-bit mode: REX registers and SPL/SIL vs AH, 32-bit writes zero the
;   upper half, RIP-relative addressing, MOVSXD/CDQE/CQO, 64-bit PUSH/POP,
;   64-bit MUL/DIV and shifts, segment bases ignored except FS/GS (FS_BASE,
;   GS_BASE, SWAPGS), a 1 GiB page, a not-present 4 KiB page -> #PF with CR2
;   that the handler maps and the access is restarted, non-canonical data
;   -> #GP(0), through RBP -> #SS(0), CS.L with CS.D -> #GP(sel), clearing
;   CR0.PG or EFER.LME in 64-bit mode -> #GP(0), CMPXCHG16B alignment,
;   INT n / #UD / #PF on IST stacks (RSP checked), 16-byte alignment of the
;   frame, SYSRET with non-canonical RCX -> #GP(0) at CPL 0, SYSRET to
;   ring 3, a far CALL through a 64-bit call gate to ring 0 and RETF back,
;   SYSCALL (RCX/R11, SFMASK) and back, compatibility mode and back
;   (RETF to 32-bit code, an interrupt from it, JMP ptr16:32 to 64-bit code).
; Ends with isa-debug-exit: status (failures << 1) | 1.
bits 16
cpu x64
org 0xF0000
%include "pm_harness.inc"

DEBUGCON  equ 0xE9
DEBUGEXIT equ 0xF4
GDT_BASE  equ 0x1000
IDT_BASE  equ 0x2000
TSS_BASE  equ 0x3000
VARS      equ 0x4000
SCRATCH   equ 0x5000             ; FS/GS base, CMPXCHG16B operands
IST1_TOP  equ 0x6000
IST2_TOP  equ 0x6800
IST3_TOP  equ 0x7000
RING0_SP  equ 0x9000
USER_SP   equ 0xA000
PML4      equ 0x10000
PDPT      equ 0x11000
PD        equ 0x12000
PT        equ 0x13000            ; 4 KiB pages for 2..4 MiB
NP_PAGE   equ 0x201000           ; not present until the #PF handler maps it

failures  equ VARS + 0
got_vec   equ VARS + 8
got_err   equ VARS + 0x10
got_cr2   equ VARS + 0x18
got_rsp   equ VARS + 0x20
resume    equ VARS + 0x28
u_cs      equ VARS + 0x30        ; ring-3 observations
u_ss      equ VARS + 0x38
g_rsp     equ VARS + 0x40        ; call-gate target observations
g_cs      equ VARS + 0x48
g_ss      equ VARS + 0x50
sc_rcx    equ VARS + 0x58        ; SYSCALL entry observations
sc_r11    equ VARS + 0x60
sc_cs     equ VARS + 0x68
sc_flags  equ VARS + 0x70
u_back    equ VARS + 0x78
c_eax     equ VARS + 0x80        ; compatibility-mode observations
c_after   equ VARS + 0x88

SEL_CODE0  equ 0x08              ; 32-bit code, ring 0 (protected/compatibility mode)
SEL_DATA0  equ 0x10
SEL_CODE64 equ 0x18              ; STAR[47:32]: SYSCALL CS, SS = +8
SEL_SDATA0 equ 0x20
SEL_UCODE32 equ 0x28             ; STAR[63:48]: SYSRET bases
SEL_UDATA  equ 0x30
SEL_UCODE64 equ 0x38
SEL_TSS    equ 0x40              ; 16 bytes
SEL_BASED  equ 0x50              ; data, base 1 MiB
SEL_LD     equ 0x58              ; code with L = 1 and D = 1
SEL_GATE   equ 0x60              ; 64-bit call gate, DPL 3 (16 bytes)

%define ABS(x) ((x) - $$ + 0xF0000)   ; a label as a plain number

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov dword [failures], 0
    CLEAR_IDT
    mov eax, gp32
    mov bl, 13
    mov dx, 0x8E00
    call set_gate
    lidt [idt32_ptr]
    mov esi, msg_banner
    call puts

    ; 4-level tables: 2 MiB user page at 0, a 4 KiB page table for
    ; 2..4 MiB (NP_PAGE not present), a 1 GiB page at linear 1 GiB -> 0.
    mov edi, PML4
    xor eax, eax
    mov ecx, 0x4000 / 4
    rep stosd
    mov dword [PML4], PDPT | 7
    mov dword [PDPT], PD | 7
    mov dword [PDPT + 8], 0x87
    mov dword [PD], 0x87
    mov dword [PD + 8], PT | 7
    mov dword [PT], 0x200000 | 7
    mov dword [NP_PAGE + 0x10], 0xCAFEF00D
    mov dword [SCRATCH + 0x100], 0x600DF00D
    mov eax, PML4
    mov cr3, eax
    mov ecx, 0xC0000080
    rdmsr
    or eax, 0x101                ; LME | SCE
    wrmsr

    mov dword [got_vec], -1
    mov dword [resume], .t0
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax                 ; no PAE: #GP(0)
.t0: mov esi, msg_pg_no_pae
    cmp dword [got_vec], 13
    jne .f0
    cmp dword [got_err], 0
.f0: call ok_if_equal

    mov eax, cr4
    or eax, 0x20                 ; PAE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax                 ; IA-32e mode, still 32-bit code: compatibility mode
    mov ecx, 0xC0000080
    rdmsr
    and eax, 0x400
    cmp eax, 0x400
    mov esi, msg_lma
    call ok_if_equal
    jmp SEL_CODE64:lm64

gp32:
    pop dword [got_err]
    mov dword [got_vec], 13
    push eax
    mov eax, [resume]
    mov [esp + 4], eax
    pop eax
    iret

idt32_ptr: dw 256*8 - 1
           dd IDT_BASE

; ---------------------------------------------------------------- 64-bit
bits 64
lm64:
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, RING0_SP
    mov rdi, IDT_BASE
    xor eax, eax
    mov ecx, 512
    rep stosq
    mov rax, ABS(h_ud)
    mov bl, 6
    mov dx, 0x8E02               ; IST 2
    call set_gate64
    mov rax, ABS(h_ss)
    mov bl, 12
    mov dx, 0x8E00
    call set_gate64
    mov rax, ABS(h_gp)
    mov bl, 13
    call set_gate64
    mov rax, ABS(h_pf)
    mov bl, 14
    mov dx, 0x8E03               ; IST 3
    call set_gate64
    mov rax, ABS(h_int40)
    mov bl, 0x40
    mov dx, 0x8E01               ; IST 1
    call set_gate64
    mov rax, ABS(h_int41)
    mov bl, 0x41
    mov dx, 0x8E00
    call set_gate64
    lidt [rel idt64_ptr]
    mov rdi, TSS_BASE
    xor eax, eax
    mov ecx, 104 / 8
    rep stosq
    mov qword [TSS_BASE + 4], RING0_SP
    mov qword [TSS_BASE + 0x24], IST1_TOP
    mov qword [TSS_BASE + 0x2C], IST2_TOP
    mov qword [TSS_BASE + 0x34], IST3_TOP
    mov ax, SEL_TSS
    ltr ax

    ; --- CPUID advertises long mode
    mov eax, 0x80000001
    cpuid
    and edx, 1 << 29
    cmp edx, 1 << 29
    lea rsi, [rel msg_cpuid]
    call ok_if_equal64

    ; --- REX registers, byte registers, zero extension
    mov r8, 0x123456789ABCDEF0
    mov r9, r8
    shr r9, 32
    mov rax, -1
    mov eax, 0x11                ; zero-extends
    mov esi, 0x1234
    mov sil, 0xAB                ; SIL, not DH
    xor edx, edx
    mov ah, 0x77                 ; no REX: AH
    lea rsi, [rel msg_rex]
    cmp r9, 0x12345678
    jne .f1
    cmp rax, 0x7711
    jne .f1
    mov rbx, rsi
    mov esi, 0x1234
    mov sil, 0xAB
    cmp esi, 0x12AB
    mov rsi, rbx
    jne .f1
    mov r15d, -1
    mov r15w, 5                  ; 16-bit write keeps bits 16..63
    mov rbx, 0xFFFF0005
    cmp r15, rbx
.f1: call ok_if_equal64

    ; --- RIP-relative addressing
    lea rax, [rel rip_data]
    mov rbx, ABS(rip_data)
    cmp rax, rbx
    jne .f2
    mov rax, [rel rip_data]
    mov rbx, 0xFEEDFACECAFEBEEF
    cmp rax, rbx
.f2: lea rsi, [rel msg_rip]
    call ok_if_equal64

    ; --- MOVSXD, CDQE, CQO, 64-bit stack, MUL/DIV, shifts
    mov eax, -5
    movsxd rbx, eax
    cmp rbx, -5
    jne .f3
    mov eax, 0x80000000
    cdqe
    cqo
    cmp rdx, -1
    jne .f3
    mov rcx, rsp
    push rax
    sub rcx, rsp
    pop rbx
    cmp rcx, 8
    jne .f3
    cmp rbx, rax
    jne .f3
    mov rax, 0x100000000
    mov rbx, 0x300000000
    mul rbx                      ; 2^32 * 3*2^32 = 3 * 2^64
    cmp rdx, 3
    jne .f3
    test rax, rax
    jne .f3
    mov rdx, 1
    xor eax, eax
    mov rbx, 0x100000000
    div rbx                      ; 2^64 / 2^32
    cmp rax, rbx
    jne .f3
    mov rax, 1
    mov cl, 40
    shl rax, cl                  ; count masked to 6 bits with REX.W
    mov rbx, 1 << 40
    cmp rax, rbx
.f3: lea rsi, [rel msg_arith]
    call ok_if_equal64

    ; --- segment bases: DS ignored, FS/GS from the MSRs, SWAPGS
    mov qword [SCRATCH + 0x10], 0x1234
    mov ax, SEL_BASED
    mov ds, ax
    mov rax, [SCRATCH + 0x10]    ; base 1 MiB ignored
    mov bx, SEL_DATA0
    mov ds, bx
    cmp rax, 0x1234
    jne .f4
    mov ecx, 0xC0000100          ; FS_BASE
    mov eax, SCRATCH
    xor edx, edx
    wrmsr
    mov rax, [fs:0x10]
    cmp rax, 0x1234
    jne .f4
    mov ecx, 0xC0000101          ; GS_BASE
    xor eax, eax
    wrmsr
    mov ecx, 0xC0000102          ; KERNEL_GS_BASE
    mov eax, SCRATCH
    wrmsr
    swapgs
    mov rax, [gs:0x10]
    swapgs
    cmp rax, 0x1234
    jne .f4
    mov ecx, 0xC0000101
    rdmsr
    test eax, eax
.f4: lea rsi, [rel msg_bases]
    call ok_if_equal64

    ; --- a 1 GiB page
    mov eax, [0x40000000 + SCRATCH + 0x100]
    cmp eax, 0x600DF00D
    lea rsi, [rel msg_1g]
    call ok_if_equal64

    ; --- #PF on a not-present page, mapped by the handler (IST 3)
    mov qword [got_vec], -1
    mov qword [resume], 0
    mov eax, [NP_PAGE + 0x10]
    cmp eax, 0xCAFEF00D
    jne .f5
    cmp qword [got_vec], 14
    jne .f5
    cmp qword [got_err], 0
    jne .f5
    mov rax, NP_PAGE + 0x10
    cmp [got_cr2], rax
    jne .f5
    cmp qword [got_rsp], IST3_TOP - 48
.f5: lea rsi, [rel msg_pf]
    call ok_if_equal64

    ; --- non-canonical data address -> #GP(0); through RBP -> #SS(0)
    mov qword [got_vec], -1
    lea rax, [rel .t6]
    mov [resume], rax
    mov rax, 0x0000800000000000
    mov rbx, [rax]
.t6: cmp qword [got_vec], 13
    jne .f6
    cmp qword [got_err], 0
    jne .f6
    mov qword [got_vec], -1
    lea rax, [rel .t6b]
    mov [resume], rax
    mov rbp, 0x8000000000000000
    mov rbx, [rbp + 8]
.t6b: cmp qword [got_vec], 12
    jne .f6
    cmp qword [got_err], 0
.f6: lea rsi, [rel msg_canon]
    call ok_if_equal64

    ; --- CS.L and CS.D both set -> #GP(selector)
    mov qword [got_vec], -1
    lea rax, [rel .t7]
    mov [resume], rax
    jmp dword far [rel farptr_ld]
.t7: cmp qword [got_vec], 13
    jne .f7
    cmp qword [got_err], SEL_LD
.f7: lea rsi, [rel msg_ld]
    call ok_if_equal64

    ; --- clearing CR0.PG or EFER.LME in 64-bit mode -> #GP(0)
    mov qword [got_vec], -1
    lea rax, [rel .t8]
    mov [resume], rax
    mov rax, cr0
    btr rax, 31
    mov cr0, rax
.t8: cmp qword [got_vec], 13
    jne .f8
    mov qword [got_vec], -1
    lea rax, [rel .t8b]
    mov [resume], rax
    mov ecx, 0xC0000080
    rdmsr
    and eax, ~0x100
    wrmsr
.t8b: cmp qword [got_vec], 13
    jne .f8
    mov rax, cr0
    bt rax, 31
    setc al
    cmp al, 1
.f8: lea rsi, [rel msg_nolm_exit]
    call ok_if_equal64

    ; --- CMPXCHG16B: misaligned -> #GP(0); aligned exchanges
    mov qword [got_vec], -1
    lea rax, [rel .t9]
    mov [resume], rax
    mov rdi, SCRATCH + 0x28
    cmpxchg16b [rdi]
.t9: cmp qword [got_vec], 13
    jne .f9
    mov qword [SCRATCH + 0x20], 1
    mov qword [SCRATCH + 0x28], 2
    mov eax, 1
    mov edx, 2
    mov ebx, 3
    mov ecx, 4
    mov rdi, SCRATCH + 0x20
    lock cmpxchg16b [rdi]
    jne .f9
    cmp qword [SCRATCH + 0x28], 4
.f9: lea rsi, [rel msg_cx16]
    call ok_if_equal64

    ; --- INT n on IST 1, #UD on IST 2: the frame sits at the IST top
    mov qword [got_rsp], 0
    mov qword [resume], 0
    int 0x40
    cmp qword [got_rsp], IST1_TOP - 40
    jne .f10
    lea rax, [rel .t10]
    mov [resume], rax
    ud2
.t10: cmp qword [got_vec], 6
    jne .f10
    cmp qword [got_rsp], IST2_TOP - 40
.f10: lea rsi, [rel msg_ist]
    call ok_if_equal64

    ; --- the frame is aligned to 16 bytes
    mov qword [resume], 0
    mov rbx, rsp
    mov rsp, RING0_SP - 0x108
    int 0x41
    mov rsp, rbx
    cmp qword [got_rsp], RING0_SP - 0x110 - 40
    lea rsi, [rel msg_align]
    call ok_if_equal64

    ; --- SYSRET with a non-canonical RCX faults at CPL 0
    mov ecx, 0xC0000081          ; STAR
    xor eax, eax
    mov edx, (SEL_UCODE32 << 16) | SEL_CODE64
    wrmsr
    mov ecx, 0xC0000082          ; LSTAR
    mov rax, ABS(syscall_entry)
    mov rdx, rax
    shr rdx, 32
    wrmsr
    mov ecx, 0xC0000084          ; SFMASK: clear TF, DF and AC on entry
    mov eax, 0x40500
    xor edx, edx
    wrmsr
    mov qword [got_vec], -1
    lea rax, [rel .t11]
    mov [resume], rax
    mov rcx, 0x0000800000000000
    o64 sysret
.t11: cmp qword [got_vec], 13
    jne .f11
    mov ax, cs
    cmp ax, SEL_CODE64
.f11: lea rsi, [rel msg_sysret_gp]
    call ok_if_equal64

    ; --- to ring 3 with SYSRET; the user code calls a gate and SYSCALLs
    mov qword [resume], 0
    mov rsp, USER_SP
    lea rcx, [rel user_code]
    mov r11, 0x002
    o64 sysret
after_user:
    mov ax, SEL_DATA0
    mov ss, ax
    mov ds, ax                   ; the RETF to ring 3 nulled DS and ES
    mov es, ax
    mov rsp, RING0_SP
    cmp word [u_cs], SEL_UCODE64 | 3
    jne .f12
    cmp word [u_ss], SEL_UDATA | 3
.f12: lea rsi, [rel msg_user]
    call ok_if_equal64
    cmp qword [g_rsp], RING0_SP - 32
    jne .f13
    cmp word [g_cs], SEL_CODE64
    jne .f13
    cmp word [g_ss], 0
.f13: lea rsi, [rel msg_gate]
    call ok_if_equal64
    lea rax, [rel user_syscall_ret]
    cmp [sc_rcx], rax
    jne .f14
    cmp qword [sc_r11], 0x402    ; DF from ring 3
    jne .f14
    cmp word [sc_cs], SEL_CODE64
    jne .f14
    test qword [sc_flags], 0x400 ; SFMASK cleared DF
    jne .f14
    cmp qword [u_back], 1
.f14: lea rsi, [rel msg_syscall]
    call ok_if_equal64

    ; --- compatibility mode and back
    push SEL_CODE0
    lea rax, [rel compat_code]
    push rax
    o64 retf
back64:
    mov rax, 0x100000000         ; 64-bit again
    shr rax, 32
    cmp rax, 1
    jne .f15
    cmp dword [c_eax], 4
    jne .f15
    cmp dword [c_after], 1
.f15: lea rsi, [rel msg_compat]
    call ok_if_equal64

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; ---------------------------------------------------------------- ring 3
user_code:
    mov ax, cs
    mov [u_cs], ax
    mov ax, ss
    mov [u_ss], ax
    call dword far [rel farptr_gate]
    std
    mov eax, 1
    syscall
user_syscall_ret:
    cld
    mov qword [u_back], 1
    mov eax, 2
    syscall                      ; does not come back
    jmp $

; ---------------------------------------------------------------- ring 0 entries
gate_target:
    mov [g_rsp], rsp
    mov ax, cs
    mov [g_cs], ax
    mov ax, ss
    mov [g_ss], ax
    o64 retf                     ; back to ring 3: pops SS:RSP too

syscall_entry:
    cmp eax, 2
    je after_user
    mov [sc_rcx], rcx
    mov [sc_r11], r11
    mov ax, cs
    mov [sc_cs], ax
    pushfq
    pop rax
    mov [sc_flags], rax
    o64 sysret

bits 32
compat_code:
    mov eax, 5
    db 0x48                      ; DEC EAX here, a REX prefix in 64-bit mode
    nop
    mov [c_eax], eax
    int 0x41                     ; 64-bit handler, IRETQ back to 32-bit code
    mov dword [c_after], 1
    jmp SEL_CODE64:back64
bits 64

; ---------------------------------------------------------------- handlers
; Record the vector, error code and RSP at entry; resume at [resume] if set.
%macro HANDLER 3                 ; name, vector, has error code
%1:
    mov [got_rsp], rsp
    mov qword [got_vec], %2
%if %3
    pop qword [got_err]
%endif
    push rax
    mov rax, [resume]
    test rax, rax
    jz %%keep
    mov [rsp + 8], rax
%%keep:
    pop rax
    iretq
%endmacro

HANDLER h_ud, 6, 0
HANDLER h_ss, 12, 1
HANDLER h_gp, 13, 1
HANDLER h_int40, 0x40, 0
HANDLER h_int41, 0x41, 0

; #PF: record, map the page, restart the access.
h_pf:
    mov [got_rsp], rsp
    mov qword [got_vec], 14
    pop qword [got_err]
    push rax
    mov rax, cr2
    mov [got_cr2], rax
    mov qword [PT + 8], NP_PAGE | 3
    invlpg [rax]
    pop rax
    iretq

; RAX = handler, BL = vector, DX = P/DPL/type << 8 | IST
set_gate64:
    movzx ecx, bl
    shl ecx, 4
    lea rdi, [IDT_BASE + rcx]
    mov [rdi], ax
    mov word [rdi + 2], SEL_CODE64
    mov [rdi + 4], dx
    shr rax, 16
    mov [rdi + 6], ax
    shr rax, 16
    mov [rdi + 8], eax
    mov dword [rdi + 12], 0
    ret

ok_if_equal64:
    je ok64
    inc dword [failures]
    push rsi
    lea rsi, [rel harness_msg_fail]
    call puts64
    pop rsi
    call puts64
    lea rsi, [rel harness_msg_nl]
    jmp puts64
ok64:
    push rsi
    lea rsi, [rel harness_msg_ok]
    call puts64
    pop rsi
    call puts64
    lea rsi, [rel harness_msg_nl]
puts64:
    push rax
.l: lodsb
    test al, al
    jz .d
    out DEBUGCON, al
    jmp .l
.d: pop rax
    ret

PM_HARNESS_ROUTINES

align 8
rip_data:    dq 0xFEEDFACECAFEBEEF
farptr_ld:   dd 0
             dw SEL_LD
farptr_gate: dd 0
             dw SEL_GATE | 3
idt64_ptr:   dw 256*16 - 1
             dq IDT_BASE

msg_banner:    db "long mode test", 10, 0
msg_pg_no_pae: db "CR0.PG with EFER.LME but no CR4.PAE -> #GP(0)", 0
msg_lma:       db "CR0.PG with LME and PAE sets EFER.LMA", 0
msg_cpuid:     db "CPUID.80000001H:EDX.LM", 0
msg_rex:       db "REX registers, SIL vs AH, 32-bit writes zero-extend", 0
msg_rip:       db "RIP-relative LEA and load", 0
msg_arith:     db "MOVSXD/CDQE/CQO, 64-bit PUSH/POP, MUL/DIV, shift counts", 0
msg_bases:     db "DS base ignored, FS_BASE, GS_BASE and SWAPGS", 0
msg_1g:        db "1 GiB page", 0
msg_pf:        db "#PF on a not-present page (IST 3), mapped and restarted", 0
msg_canon:     db "non-canonical -> #GP(0), through RBP -> #SS(0)", 0
msg_ld:        db "code segment with L and D -> #GP(selector)", 0
msg_nolm_exit: db "clearing CR0.PG or EFER.LME in 64-bit mode -> #GP(0)", 0
msg_cx16:      db "CMPXCHG16B: misaligned -> #GP(0), aligned exchanges", 0
msg_ist:       db "INT n on IST 1, #UD on IST 2", 0
msg_align:     db "interrupt frame aligned to 16 bytes", 0
msg_sysret_gp: db "SYSRET with non-canonical RCX -> #GP(0) at CPL 0", 0
msg_user:      db "SYSRET to ring 3 64-bit code", 0
msg_gate:      db "far CALL through a 64-bit call gate to ring 0 (null SS), RETF back", 0
msg_syscall:   db "SYSCALL: RCX, R11, SFMASK; SYSRET back", 0
msg_compat:    db "compatibility mode: RETF in, INT/IRETQ, JMP ptr16:32 out", 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code32, ring 0
    dq 0x00CF93000000FFFF       ; 0x10 data, ring 0
    dq 0x00AF9B000000FFFF       ; 0x18 code64, ring 0
    dq 0x00CF93000000FFFF       ; 0x20 data, ring 0 (SYSCALL SS)
    dq 0x00CFFB000000FFFF       ; 0x28 code32, ring 3
    dq 0x00CFF3000000FFFF       ; 0x30 data, ring 3
    dq 0x00AFFB000000FFFF       ; 0x38 code64, ring 3
    dq 0x0000890000000067 | (TSS_BASE << 16)  ; 0x40 64-bit TSS
    dq 0
    dq 0x00CF93100000FFFF       ; 0x50 data, base 1 MiB
    dq 0x00EF9B000000FFFF       ; 0x58 code, L = 1 and D = 1
    dw ABS(gate_target) & 0xFFFF ; 0x60 64-bit call gate, DPL 3
    dw SEL_CODE64
    dw 0xEC00
    dw ABS(gate_target) >> 16
    dq 0
gdt_end:

RESET_VECTOR start16

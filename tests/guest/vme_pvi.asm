; Virtual-8086 mode extensions (CR4.VME) and protected-mode virtual
; interrupts (CR4.PVI), checked against Intel SDM Vol. 3B 20.3-20.4 and the
; Vol. 2 pages of CLI, STI, PUSHF, POPF, IRET and INT n:
;   - CPUID.01H:EDX.VME is set and MOV CR4 accepts VME and PVI;
;   - every row of Table 20-2 (VME x IOPL x redirection bitmap bit);
;   - in v86 with VME and IOPL < 3: CLI/STI on VIF, STI with VIP is #GP(0),
;     PUSHF pushes VIF as IF and IOPL as 3, POPF/IRET load VIF from the IF
;     position and trap on TF or on IF with VIP; 32-bit forms trap;
;   - VME with IOPL 3 and VME off behave as plain v86 mode;
;   - PVI at CPL 3: CLI/STI on VIF, STI with VIP is #GP(0), PUSHF/POPF as
;     before; without PVI CLI is #GP(0); at IOPL 3 CLI clears IF;
;   - CPL 0 is unaffected; IRETD at CPL 0 loads VIF and VIP.
; Each case runs a snippet in v86 mode or at CPL 3 that ends with HLT. The
; #GP handler counts and skips faulting instructions (OR-ing the error
; codes) and treats HLT as the end of the snippet, recording EFLAGS and SP.
; Ends with isa-debug-exit: status (failures << 1) | 1.
bits 16
cpu 686
org 0xF0000
%include "pm_harness.inc"

DEBUGCON  equ 0xE9
DEBUGEXIT equ 0xF4
GDT_BASE  equ 0x1000
IDT_BASE  equ 0x2000
TSS_BASE  equ 0x3000
IO_MAP    equ 104 + 32                  ; the redirection bitmap is the 32 bytes below
TSS_LIMIT equ IO_MAP                    ; one I/O bitmap byte (all denied)
RING0_TSS_SP equ 0x5000                 ; stack of the handlers (TSS ESP0)
RING0_SP  equ 0x7000                    ; stack of the main program
VARS      equ 0x8000
V86_SS    equ 0x0900                    ; v86 stack 0900:0F00 = linear 0x9F00
V86_SP    equ 0x0F00
RING3_SP  equ 0xB000

SEL_CODE0 equ 0x08
SEL_DATA0 equ 0x10
SEL_TSS   equ 0x18
SEL_CODE3 equ 0x20 | 3
SEL_DATA3 equ 0x28 | 3

F_CF   equ 0x1
F_TF   equ 0x100
F_IF   equ 0x200
F_OF   equ 0x800
F_IOPL equ 0x3000
F_VM   equ 0x20000
F_VIF  equ 0x80000
F_VIP  equ 0x100000

CR4_VME equ 1
CR4_PVI equ 2

failures  equ VARS + 0
saved_esp equ VARS + 4
bad       equ VARS + 8                  ; failed checks of the current case
results   equ VARS + 0x10               ; cleared before each snippet
gp_count  equ VARS + 0x10
gp_err_or equ VARS + 0x14
exit_flags equ VARS + 0x18
exit_sp   equ VARS + 0x1C
idt_count equ VARS + 0x20
idt_flags equ VARS + 0x24
r_count   equ VARS + 0x28               ; v86 IVT handler: calls, and the last frame
r_ip      equ VARS + 0x2C
r_cs      equ VARS + 0x30
r_flags   equ VARS + 0x34
r_inner   equ VARS + 0x38               ; PUSHF inside the v86 handler
r_val1    equ VARS + 0x3C
r_val2    equ VARS + 0x40
RESULTS_DWORDS equ 13

; EXPECT a, b: counts a failed check of the current case when a != b.
%macro EXPECT 2
    cmp %1, %2
    je %%ok
    inc dword [bad]
%%ok:
%endmacro
; EXPECT_FLAGS mask, value: the EFLAGS at the snippet's end.
%macro EXPECT_FLAGS 2
    mov eax, [exit_flags]
    and eax, %1
    EXPECT eax, %2
%endmacro
; RUN_V86 snippet, eflags / RUN_RING3 snippet, eflags
%macro RUN_V86 2
    mov eax, %1
    mov ebx, %2
    call run_v86
%endmacro
%macro RUN_RING3 2
    mov eax, %1
    mov ebx, %2
    call run_ring3
%endmacro
%macro SET_CR4 1
    mov eax, %1
    mov cr4, eax
%endmacro
; REPORT message: ok/FAIL for the checks since the last REPORT.
%macro REPORT 1
    mov esi, %1
    call report
%endmacro

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov edi, VARS
    xor eax, eax
    mov ecx, 32
    rep stosd
    call build_idt
    lidt [idt_ptr]
    call build_tss
    call build_ivt
    mov ax, SEL_TSS
    ltr ax
    mov esi, msg_banner
    call puts

    ; ---- CPUID and CR4
    mov eax, 1
    cpuid
    and edx, 2
    EXPECT edx, 2
    SET_CR4 CR4_VME | CR4_PVI
    mov ebx, cr4
    EXPECT ebx, CR4_VME | CR4_PVI
    REPORT msg_cpuid

    ; ---- VME off
    SET_CR4 0
    RUN_V86 v86_sensitive, F_IF
    EXPECT dword [gp_count], 7
    EXPECT dword [gp_err_or], 0
    EXPECT dword [exit_sp], V86_SP
    EXPECT dword [idt_count], 0
    EXPECT dword [r_count], 0
    EXPECT_FLAGS F_IF | F_VIF, F_IF
    REPORT msg_method2

    RUN_V86 v86_iopl3, F_IOPL | F_VIF
    EXPECT dword [idt_count], 1
    EXPECT dword [r_count], 0
    EXPECT dword [gp_count], 0
    mov eax, [idt_flags]
    and eax, F_VM
    EXPECT eax, F_VM
    EXPECT word [r_val1], 0x3202
    EXPECT_FLAGS F_IF | F_VIF, F_VIF
    REPORT msg_method1

    ; ---- VME on: Table 20-2
    SET_CR4 CR4_VME
    RUN_V86 v86_int_set, 0
    EXPECT dword [gp_count], 2
    EXPECT dword [gp_err_or], 0
    EXPECT dword [idt_count], 0
    EXPECT dword [r_count], 0
    EXPECT dword [exit_sp], V86_SP
    REPORT msg_method3

    RUN_V86 v86_int_set, F_IOPL
    EXPECT dword [gp_count], 0
    EXPECT dword [idt_count], 2
    EXPECT dword [r_count], 0
    mov eax, [idt_flags]
    and eax, F_VM | F_IOPL
    EXPECT eax, F_VM | F_IOPL
    REPORT msg_method4

    RUN_V86 v86_int_clear, F_IOPL | F_IF
    EXPECT dword [gp_count], 0
    EXPECT dword [idt_count], 0
    EXPECT dword [r_count], 2
    EXPECT dword [r_ip], v86_int_clear.r2 - $$
    EXPECT dword [r_cs], 0xF000
    EXPECT dword [r_flags], 0x3202      ; FLAGS as they were
    EXPECT dword [r_inner], 0x3002      ; IF cleared in the handler
    EXPECT dword [r_val1], V86_SP
    EXPECT_FLAGS F_IF | F_VIF | F_IOPL, F_IF | F_IOPL
    REPORT msg_method5

    RUN_V86 v86_int_clear, F_VIF        ; IF = 0, VIF = 1, IOPL 0
    EXPECT dword [gp_count], 0
    EXPECT dword [idt_count], 0
    EXPECT dword [r_count], 2
    EXPECT dword [r_ip], v86_int_clear.r2 - $$
    EXPECT dword [r_flags], 0x3202      ; VIF in the IF position, IOPL 3
    EXPECT dword [r_inner], 0x3002      ; VIF cleared in the handler
    EXPECT dword [r_val1], V86_SP
    EXPECT_FLAGS F_IF | F_VIF | F_IOPL, F_VIF   ; IRET restored VIF, IF untouched
    RUN_V86 v86_int_clear, F_IF         ; IF = 1, VIF = 0
    EXPECT dword [gp_count], 0
    EXPECT dword [r_count], 2
    EXPECT dword [r_flags], 0x3002
    EXPECT_FLAGS F_IF | F_VIF | F_IOPL, F_IF
    REPORT msg_method6

    ; ---- VIF in v86 mode with VME, IOPL 0
    RUN_V86 v86_cli, F_IF | F_VIF
    EXPECT dword [gp_count], 0
    EXPECT_FLAGS F_IF | F_VIF, F_IF
    RUN_V86 v86_sti, 0
    EXPECT dword [gp_count], 0
    EXPECT_FLAGS F_IF | F_VIF, F_VIF
    REPORT msg_v86_cli_sti

    RUN_V86 v86_cli_sti, F_VIF | F_VIP
    EXPECT dword [gp_count], 1
    EXPECT dword [gp_err_or], 0
    EXPECT_FLAGS F_IF | F_VIF | F_VIP, F_VIP
    REPORT msg_v86_sti_vip

    RUN_V86 v86_pushf, F_VIF
    EXPECT dword [gp_count], 1          ; PUSHFD
    EXPECT dword [gp_err_or], 0
    EXPECT dword [r_val1], 0x3202
    EXPECT dword [r_val2], V86_SP
    RUN_V86 v86_pushf, F_IF
    EXPECT dword [r_val1], 0x3002
    REPORT msg_v86_pushf

    RUN_V86 v86_popf_set, F_IF
    EXPECT dword [gp_count], 1          ; POPFD
    EXPECT dword [gp_err_or], 0
    EXPECT dword [exit_sp], V86_SP
    EXPECT_FLAGS F_IF | F_VIF | F_IOPL | F_CF | F_OF, F_IF | F_VIF | F_CF | F_OF
    RUN_V86 v86_popf_clear, F_VIF
    EXPECT dword [gp_count], 0
    EXPECT_FLAGS F_IF | F_VIF | F_CF, F_CF
    REPORT msg_v86_popf

    RUN_V86 v86_popf_vip, F_VIF | F_VIP
    EXPECT dword [gp_count], 2          ; IF with VIP, then TF
    EXPECT dword [gp_err_or], 0
    EXPECT dword [exit_sp], V86_SP
    EXPECT_FLAGS F_IF | F_VIF | F_VIP | F_TF | F_CF, F_VIP | F_CF
    REPORT msg_v86_popf_gp

    RUN_V86 v86_iret, 0
    EXPECT dword [gp_count], 1          ; IRETD
    EXPECT dword [gp_err_or], 0
    EXPECT dword [exit_sp], V86_SP
    EXPECT dword [r_val1], 1            ; IRET reached its target
    EXPECT_FLAGS F_IF | F_VIF | F_CF, F_VIF | F_CF
    RUN_V86 v86_iret_vip, F_VIF | F_VIP
    EXPECT dword [gp_count], 2          ; IF with VIP, then TF
    EXPECT dword [gp_err_or], 0
    EXPECT dword [exit_sp], V86_SP
    EXPECT dword [r_val1], 1
    EXPECT_FLAGS F_IF | F_VIF | F_VIP | F_TF, F_VIP
    REPORT msg_v86_iret

    RUN_V86 v86_iopl3, F_IOPL | F_VIF   ; VME with IOPL 3: INT 0x31 is method 5
    EXPECT dword [gp_count], 0
    EXPECT dword [r_count], 1
    EXPECT word [r_val1], 0x3202
    EXPECT_FLAGS F_IF | F_VIF, F_VIF
    REPORT msg_v86_iopl3

    ; ---- PVI at CPL 3
    SET_CR4 CR4_PVI
    RUN_RING3 r3_cli, F_IF | F_VIF
    EXPECT dword [gp_count], 0
    mov eax, [r_val1]
    and eax, F_IF | F_VIF
    EXPECT eax, F_IF                    ; after CLI
    EXPECT_FLAGS F_IF | F_VIF, F_IF | F_VIF   ; after STI
    RUN_RING3 r3_sti, 0
    EXPECT dword [gp_count], 0
    EXPECT_FLAGS F_IF | F_VIF, F_VIF
    REPORT msg_pvi_cli_sti

    RUN_RING3 r3_sti, F_VIP
    EXPECT dword [gp_count], 1
    EXPECT dword [gp_err_or], 0
    EXPECT_FLAGS F_IF | F_VIF | F_VIP, F_VIP
    REPORT msg_pvi_sti_vip

    RUN_RING3 r3_pushf_popf, F_IF
    EXPECT dword [gp_count], 0
    mov eax, [r_val1]
    and eax, F_IF | F_VIF
    EXPECT eax, F_IF                    ; POPFD changed neither IF nor VIF
    mov eax, [r_val2]
    and eax, F_IF | F_IOPL
    EXPECT eax, F_IF                    ; PUSHF: the real IF and IOPL
    REPORT msg_pvi_pushf

    RUN_RING3 r3_cli, F_IF | F_VIF | F_IOPL
    EXPECT dword [gp_count], 0
    mov eax, [r_val1]
    and eax, F_IF | F_VIF
    EXPECT eax, F_VIF                   ; IOPL 3: CLI clears IF
    REPORT msg_pvi_iopl3

    SET_CR4 0
    RUN_RING3 r3_cli, F_IF | F_VIF
    EXPECT dword [gp_count], 2          ; CLI and STI
    EXPECT dword [gp_err_or], 0
    EXPECT_FLAGS F_IF | F_VIF, F_IF | F_VIF
    REPORT msg_no_pvi

    ; ---- CPL 0 with VME and PVI
    SET_CR4 CR4_VME | CR4_PVI
    call cpl0_case
    REPORT msg_cpl0

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; IRETD at CPL 0 loads VIF/VIP; CLI/STI/POPFD at CPL 0 leave them alone.
cpl0_case:
    pushfd
    or dword [esp], F_VIF | F_VIP
    push dword SEL_CODE0
    push dword .loaded
    iretd
.loaded:
    pushfd
    pop eax
    and eax, F_VIF | F_VIP
    EXPECT eax, F_VIF | F_VIP
    sti
    pushfd
    pop eax
    and eax, F_IF | F_VIF | F_VIP
    EXPECT eax, F_IF | F_VIF | F_VIP
    cli
    push dword 2
    popfd
    pushfd
    pop eax
    and eax, F_IF | F_VIF | F_VIP
    EXPECT eax, F_VIF | F_VIP
    push dword 2                        ; back to VIF = VIP = 0
    push dword SEL_CODE0
    push dword .cleared
    iretd
.cleared:
    pushfd
    pop eax
    and eax, F_VIF | F_VIP
    EXPECT eax, 0
    ret

; ---------------------------------------------------------------- runners

; EAX = snippet (linear address in this ROM), EBX = EFLAGS (VM is added).
; Returns when the snippet executes HLT.
run_v86:
    call clear_results
    mov [saved_esp], esp
    or ebx, F_VM | 2
    push dword 0                        ; GS
    push dword 0                        ; FS
    push dword 0                        ; DS
    push dword 0                        ; ES
    push dword V86_SS
    push dword V86_SP
    push ebx
    push dword 0xF000
    sub eax, 0xF0000
    push eax
    iretd

; EAX = snippet, EBX = EFLAGS: runs it at CPL 3 in the flat ring-3 segments.
run_ring3:
    call clear_results
    mov [saved_esp], esp
    or ebx, 2
    mov cx, SEL_DATA3
    mov ds, cx
    mov es, cx
    push dword SEL_DATA3
    push dword RING3_SP
    push ebx
    push dword SEL_CODE3
    push eax
    iretd

clear_results:
    push eax
    push ecx
    push edi
    mov edi, results
    xor eax, eax
    mov ecx, RESULTS_DWORDS
    rep stosd
    pop edi
    pop ecx
    pop eax
    ret

; #GP: count and skip the faulting instruction (66 prefix, CD ib or one
; byte); HLT ends the snippet: record its EFLAGS and SP and return to the
; runner's caller on the main stack.
gp_handler:
    push eax
    push ebx
    push ds
    mov ax, SEL_DATA0
    mov ds, ax
    ; [esp+12] error code, +16 EIP, +20 CS, +24 EFLAGS, +28 ESP
    mov ebx, [esp + 16]
    test dword [esp + 24], F_VM
    jz .flat
    movzx eax, word [esp + 20]
    shl eax, 4
    add ebx, eax
.flat:
    xor eax, eax
    cmp byte [ebx], 0x66
    jne .opcode
    inc eax
    inc ebx
.opcode:
    cmp byte [ebx], 0xF4
    je .end_of_snippet
    inc eax
    cmp byte [ebx], 0xCD
    jne .skip
    inc eax
.skip:
    add [esp + 16], eax
    inc dword [gp_count]
    mov eax, [esp + 12]
    or [gp_err_or], eax
    pop ds
    pop ebx
    pop eax
    add esp, 4
    iretd
.end_of_snippet:
    mov eax, [esp + 24]
    mov [exit_flags], eax
    mov eax, [esp + 28]
    mov [exit_sp], eax
    mov esp, [saved_esp]
    mov ax, SEL_DATA0
    mov es, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    ret

; INT n through the IDT (DPL 3 gate): count, keep the pushed EFLAGS.
idt_int_handler:
    push eax
    push ds
    mov ax, SEL_DATA0
    mov ds, ax
    inc dword [idt_count]
    mov eax, [esp + 16]
    mov [idt_flags], eax
    pop ds
    pop eax
    iretd

; Anything else is a bug of the CPU or of this test: report and stop.
unexpected:
    mov ax, SEL_DATA0
    mov ds, ax
    mov esi, msg_unexpected
    call puts
    mov al, 0xFF
    out DEBUGEXIT, al
    cli
    hlt

; ESI = message; [bad] = failed checks since the last report.
report:
    cmp dword [bad], 0
    mov dword [bad], 0
    jmp ok_if_equal

; ---------------------------------------------------------------- v86 snippets
; CS = F000, DS = ES = 0 (the variables are at linear 0x8000), SS:SP =
; 0900:0F00. Each ends with HLT.
bits 16
v86_sensitive:                          ; every IOPL-sensitive instruction
    cli
    sti
    pushf
    popf
    iret
    int 0x31
    int 0x30
    hlt

v86_iopl3:
    int 0x31
    sti
    pushf
    pop ax
    mov [r_val1], ax
    cli
    hlt

v86_int_set:                            ; redirection bits set
    int 0x30
    int 0x81
    hlt

v86_int_clear:                          ; redirection bits clear (two map bytes)
    int 0x31
.r1:
    int 0x80
.r2:
    mov [r_val1], sp
    hlt

v86_cli:
    cli
    hlt

v86_sti:
    sti
    hlt

v86_cli_sti:
    cli
    sti
    hlt

v86_pushf:
    pushf
    pop ax
    mov [r_val1], ax
    o32 pushf
    mov [r_val2], sp
    hlt

v86_popf_set:
    push word F_IOPL | F_OF | F_IF | F_CF
    popf
    push dword 0
    o32 popf                            ; #GP
    pop eax                             ; (leaves the flags alone)
    hlt

v86_popf_clear:
    push word F_CF
    popf
    hlt

v86_popf_vip:
    push word F_IF
    popf                                ; #GP: IF with VIP pending
    push word F_TF
    popf                                ; #GP: TF
    add sp, 4
    push word F_CF
    popf                                ; loads: VIF = 0
    hlt

v86_iret:
    push word F_IF | F_CF
    push cs
    push word .t1 - $$
    iret                                ; VIF = 1, CF = 1
.t1:
    mov word [r_val1], 1
    o32 iret                            ; #GP
    hlt

v86_iret_vip:
    push word F_IF
    push cs
    push word .bad - $$
    iret                                ; #GP: IF with VIP pending
    add sp, 6
    push word F_TF
    push cs
    push word .bad - $$
    iret                                ; #GP: TF
    add sp, 6
    push word 0
    push cs
    push word .t1 - $$
    iret                                ; loads: VIF = 0
.bad:
    hlt
.t1:
    mov word [r_val1], 1
    hlt

; The 8086 program's handler for redirected INT 0x31 and INT 0x80.
v86_ivt_handler:
    push bp
    mov bp, sp
    mov ax, [bp + 2]
    mov [r_ip], ax
    mov ax, [bp + 4]
    mov [r_cs], ax
    mov ax, [bp + 6]
    mov [r_flags], ax
    pushf
    pop ax
    mov [r_inner], ax
    inc word [r_count]
    pop bp
    iret

; ---------------------------------------------------------------- ring-3 snippets
bits 32
r3_cli:
    cli
    pushfd
    pop eax
    mov [r_val1], eax
    sti
    hlt

r3_sti:
    sti
    hlt

r3_pushf_popf:
    push dword 2
    popfd                               ; IF and VIF unchanged at CPL 3 > IOPL
    pushfd
    pop eax
    mov [r_val1], eax
    o16 pushf
    pop ax
    movzx eax, ax
    mov [r_val2], eax
    hlt

; ---------------------------------------------------------------- set-up
PM_HARNESS_ROUTINES

build_idt:
    CLEAR_IDT
    xor ebx, ebx
.exc:
    mov eax, unexpected
    mov dx, 0x8E00
    push ebx
    call set_gate
    pop ebx
    inc bl
    cmp bl, 32
    jb .exc
    mov eax, gp_handler
    mov bl, 13
    mov dx, 0x8E00
    call set_gate
    mov eax, idt_int_handler
    mov dx, 0xEE00
    mov bl, 0x30
    call set_gate
    mov eax, idt_int_handler
    mov bl, 0x31
    call set_gate
    mov eax, idt_int_handler
    mov bl, 0x80
    call set_gate
    mov eax, idt_int_handler
    mov bl, 0x81
    call set_gate
    ret

; 32-bit TSS: ESP0/SS0, I/O map base 136, redirection bitmap all ones
; except INT 0x31 and INT 0x80, one I/O bitmap byte of ones.
build_tss:
    mov edi, TSS_BASE
    xor eax, eax
    mov ecx, TSS_LIMIT + 1
    rep stosb
    mov dword [TSS_BASE + 4], RING0_TSS_SP
    mov dword [TSS_BASE + 8], SEL_DATA0
    mov word [TSS_BASE + 102], IO_MAP
    mov edi, TSS_BASE + 104
    mov al, 0xFF
    mov ecx, 33
    rep stosb
    and byte [TSS_BASE + 104 + 0x31 / 8], ~(1 << (0x31 & 7))
    and byte [TSS_BASE + 104 + 0x80 / 8], ~(1 << (0x80 & 7))
    ret

; The 8086 program's IVT at linear 0: INT 0x31 and 0x80 -> v86_ivt_handler.
build_ivt:
    mov dword [0x31 * 4], (0xF000 << 16) | (v86_ivt_handler - $$)
    mov dword [0x80 * 4], (0xF000 << 16) | (v86_ivt_handler - $$)
    ret

idt_ptr: dw 256*8 - 1
         dd IDT_BASE

msg_banner:      db "virtual-8086 mode extensions and protected-mode virtual interrupts test", 10, 0
msg_cpuid:       db "CPUID.01H:EDX.VME is set; MOV CR4 accepts VME and PVI", 0
msg_method2:     db "VME=0 IOPL<3 (method 2): CLI STI PUSHF POPF IRET INT n are #GP(0)", 0
msg_method1:     db "VME=0 IOPL=3 (method 1): INT n through the IDT whatever the bitmap; CLI/STI/PUSHF on IF", 0
msg_method3:     db "VME=1 IOPL<3 bit set (method 3): INT n is #GP(0)", 0
msg_method4:     db "VME=1 IOPL=3 bit set (method 4): INT n through the IDT to ring 0", 0
msg_method5:     db "VME=1 IOPL=3 bit clear (method 5): INT n through the 8086 IVT, FLAGS pushed, IF cleared", 0
msg_method6:     db "VME=1 IOPL<3 bit clear (method 6): INT n through the 8086 IVT, VIF pushed as IF with IOPL 3, VIF cleared", 0
msg_v86_cli_sti: db "VME IOPL<3: CLI clears VIF, STI sets VIF, IF untouched", 0
msg_v86_sti_vip: db "VME IOPL<3: STI with VIP is #GP(0), CLI with VIP clears VIF", 0
msg_v86_pushf:   db "VME IOPL<3: PUSHF pushes VIF as IF and IOPL 3; PUSHFD is #GP(0)", 0
msg_v86_popf:    db "VME IOPL<3: POPF loads VIF from IF, keeps IF and IOPL; POPFD is #GP(0)", 0
msg_v86_popf_gp: db "VME IOPL<3: POPF with IF and VIP, or with TF, is #GP(0)", 0
msg_v86_iret:    db "VME IOPL<3: IRET loads VIF from IF; IF with VIP, TF, IRETD are #GP(0)", 0
msg_v86_iopl3:   db "VME IOPL=3: CLI/STI/PUSHF act on IF, VIF untouched", 0
msg_pvi_cli_sti: db "PVI CPL3 IOPL<3: CLI clears VIF, STI sets VIF, IF untouched", 0
msg_pvi_sti_vip: db "PVI CPL3 IOPL<3: STI with VIP is #GP(0)", 0
msg_pvi_pushf:   db "PVI CPL3: PUSHF/POPF unchanged", 0
msg_pvi_iopl3:   db "PVI CPL3 IOPL=3: CLI clears IF, VIF untouched", 0
msg_no_pvi:      db "PVI=0 CPL3 IOPL<3: CLI and STI are #GP(0)", 0
msg_cpl0:        db "CPL 0: IRETD loads VIF/VIP; CLI/STI/POPFD leave them alone", 0
msg_unexpected:  db "FAIL: unexpected exception", 10, 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code, ring 0, flat 32-bit
    dq 0x00CF93000000FFFF       ; 0x10 data, ring 0, flat
    dw TSS_LIMIT, TSS_BASE, 0x8900, 0   ; 0x18 32-bit TSS
    dq 0x00CFFB000000FFFF       ; 0x20 code, ring 3, flat 32-bit
    dq 0x00CFF3000000FFFF       ; 0x28 data, ring 3, flat
gdt_end:

RESET_VECTOR start16

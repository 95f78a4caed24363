; Hardware task switching (Intel SDM Vol. 3A, 7.3 and 7.4), from the reset
; vector as a 64 KiB ROM, in 32-bit protected mode. Each check prints "ok" or
; "FAIL":
;   - JMP to a TSS descriptor: the new task's registers come from its TSS,
;     the old task's EIP/EFLAGS/GPRs/selectors are saved in the old TSS, the
;     old task is no longer busy, the new one is, NT stays clear, CR0.TS is
;     set; JMP back restores every register;
;   - CALL through a task gate: NT set and the back link = old TR in the new
;     task, both tasks busy; IRET returns (old task's NT clear, IRET clears the
;     busy bit of the task it leaves and NT in its saved EFLAGS); a second
;     CALL resumes the task after its IRET;
;   - #GP(TSS) for CALL/JMP to a busy task (directly and through a task gate,
;     where the error names the TSS), #TS for a TSS limit below 0x67, #NP for
;     a not-present TSS;
;   - #GP through a task gate in the IDT: the error code on the new task's
;     stack, faulting EIP saved in the old TSS; #DE through a task gate
;     pushes nothing;
;   - CALL to a 16-bit TSS and IRET back;
;   - a bad SS in the new TSS faults after the commit point, in the new
;     task's context: #TS(SS) through a task gate, the new task's EIP saved.
; Ends with isa-debug-exit: status (failures << 1) | 1.
bits 16
cpu 686
org 0xF0000
%include "pm_harness.inc"

%define R(x) ((x) - $$)
DEBUGCON  equ 0xE9
DEBUGEXIT equ 0xF4
GDT_BASE  equ 0x1000
IDT_BASE  equ 0x2000
TSS_MAIN  equ 0x3000
TSS_A     equ 0x3100
TSS_B     equ 0x3200
TSS_X     equ 0x3300
TSS_DE    equ 0x3400
TSS_16    equ 0x3500
TSS_BAD   equ 0x3600
TSS_TSH   equ 0x3700
TSS_SMALL equ 0x3800
TSS_NP    equ 0x3900
TSS_V86   equ 0x3A00
V86_CODE  equ 0x6000    ; v86 task code copied here: CS = 0x0600
V86_SEG   equ 0x0D00    ; its DS and SS (linear 0xD000)
V86_R0SP  equ 0xC800    ; its ring-0 stack (SS0:ESP0)
VARS      equ 0x5000
MAIN_SP   equ 0x8000
A_SP      equ 0x9000
B_SP      equ 0x9800
X_SP      equ 0xA000
DE_SP     equ 0xA800
T16_SP    equ 0xB000
BAD_SP    equ 0xB800
TSH_SP    equ 0xC000

; variables
failures  equ VARS + 0x00
got_vec   equ VARS + 0x04
got_err   equ VARS + 0x08
got_eip   equ VARS + 0x0C
resume    equ VARS + 0x10
main_esp  equ VARS + 0x14
a_ebx     equ VARS + 0x20
a_esi     equ VARS + 0x24
a_flags   equ VARS + 0x28
a_cr0     equ VARS + 0x2C
a_tr      equ VARS + 0x30
a_main_d  equ VARS + 0x34
a_a_d     equ VARS + 0x38
b_flags   equ VARS + 0x40
b_link    equ VARS + 0x44
b_main_d  equ VARS + 0x48
b_b_d     equ VARS + 0x4C
b_count   equ VARS + 0x50
x_err     equ VARS + 0x60
x_esp     equ VARS + 0x64
x_link    equ VARS + 0x68
x_flags   equ VARS + 0x6C
x_eip     equ VARS + 0x70
de_esp    equ VARS + 0x80
de_eip    equ VARS + 0x84
t16_bx    equ VARS + 0x90
t16_link  equ VARS + 0x94
t16_flags equ VARS + 0x98
tsh_err   equ VARS + 0xA0
tsh_link  equ VARS + 0xA4
tsh_eip   equ VARS + 0xA8
tsh_bad_d equ VARS + 0xAC
v86_mflags equ VARS + 0xB4

; selectors
SEL_CODE0  equ 0x08
SEL_DATA0  equ 0x10
SEL_TMAIN  equ 0x18
SEL_TA     equ 0x20
SEL_TB     equ 0x28
SEL_TX     equ 0x30
SEL_TDE    equ 0x38
SEL_T16    equ 0x40
SEL_TBAD   equ 0x48
SEL_TTSH   equ 0x50
SEL_TSMALL equ 0x58
SEL_TNP    equ 0x60
SEL_GATE_B equ 0x68     ; task gate -> SEL_TB
SEL_GATE_M equ 0x70     ; task gate -> SEL_TMAIN
SEL_CODE16 equ 0x78     ; 16-bit code, base 0xF0000
SEL_DATA16 equ 0x80     ; 16-bit data/stack, base 0
SEL_TV86   equ 0x88
SEL_BEYOND equ 0x100    ; past the GDT limit

NT equ 0x4000

; Falls through with ZF set when all bits of %2 are set in %1, else jumps to
; %3 with ZF clear (the checks end in ok_if_equal). Clobbers EAX.
%macro REQUIRE_BITS 3
    mov eax, %1
    and eax, %2
    cmp eax, %2
    jne %3
%endmacro

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, MAIN_SP
    mov esi, v86_start          ; the v86 task runs from RAM below 1 MiB
    mov edi, V86_CODE
    mov ecx, v86_end - v86_start
    rep movsb
    mov edi, VARS
    xor eax, eax
    mov ecx, 0x100/4
    rep stosd
    call build_idt
    lidt [idt_ptr]
    call build_tsses
    mov ax, SEL_TMAIN
    ltr ax

    mov dword [resume], lost
    mov esi, msg_banner
    call puts

    ; ---------------------------------------------------- JMP to a TSS and back
    clts
    mov [main_esp], esp
    mov eax, 0x11111111
    mov ecx, 0x22222222
    mov edx, 0x33333333
    mov ebx, 0x44444444
    mov ebp, 0x66666666
    mov esi, 0x77777777
    mov edi, 0x88888888
    jmp SEL_TA:0
.back_a:
    cmp eax, 0x11111111
    jne .regs_bad
    cmp ecx, 0x22222222
    jne .regs_bad
    cmp edx, 0x33333333
    jne .regs_bad
    cmp ebx, 0x44444444
    jne .regs_bad
    cmp ebp, 0x66666666
    jne .regs_bad
    cmp esi, 0x77777777
    jne .regs_bad
    cmp edi, 0x88888888
    jne .regs_bad
    cmp esp, [main_esp]
    jne .regs_bad
    mov esi, msg_regs_back
    call ok
    jmp .regs_done
.regs_bad:
    mov esi, msg_regs_back
    call fail
.regs_done:

    mov esi, msg_jmp_load
    cmp dword [a_ebx], 0xA0A0A0A0
    jne .f1
    cmp dword [a_esi], 0xA5A5A5A5
    jne .f1
    cmp dword [a_tr], SEL_TA
.f1: call ok_if_equal

    mov esi, msg_jmp_saved
    cmp dword [TSS_MAIN + 0x20], .back_a          ; EIP
    jne .f2
    cmp dword [TSS_MAIN + 0x28], 0x11111111       ; EAX
    jne .f2
    cmp dword [TSS_MAIN + 0x34], 0x44444444       ; EBX
    jne .f2
    mov eax, [main_esp]
    cmp [TSS_MAIN + 0x38], eax                    ; ESP
    jne .f2
    cmp dword [TSS_MAIN + 0x44], 0x88888888       ; EDI
    jne .f2
    cmp word [TSS_MAIN + 0x4C], SEL_CODE0         ; CS
    jne .f2
    cmp word [TSS_MAIN + 0x50], SEL_DATA0         ; SS
    jne .f2
    cmp dword [TSS_A + 0x20], task_a.after        ; task A's own EIP on the way back
.f2: call ok_if_equal

    mov esi, msg_jmp_busy
    mov eax, [a_main_d]
    shr eax, 8
    and eax, 0xF
    cmp eax, 9                                    ; old task: available
    jne .f3
    mov eax, [a_a_d]
    shr eax, 8
    and eax, 0xF
    cmp eax, 0xB                                  ; new task: busy
    jne .f3
    test dword [a_flags], NT
    jnz .f3
    mov eax, [GDT_BASE + SEL_TA + 4]              ; after the JMP back: A available
    shr eax, 8
    and eax, 0xF
    cmp eax, 9
.f3: call ok_if_equal

    mov esi, msg_ts
    REQUIRE_BITS dword [a_cr0], 8, .f4            ; set by the switch to A
    mov eax, cr0                                  ; task A cleared it; set again
    REQUIRE_BITS eax, 8, .f4
.f4: call ok_if_equal

    ; ---------------------------------------------------- CALL through a task gate, IRET
    mov word [TSS_B], 0
    call SEL_GATE_B:0
.back_b:
    mov esi, msg_call_nt
    REQUIRE_BITS dword [b_flags], NT, .f5
    cmp dword [b_link], SEL_TMAIN
    jne .f5
    mov eax, [b_main_d]
    shr eax, 8
    and eax, 0xF
    cmp eax, 0xB                                  ; caller stays busy
    jne .f5
    mov eax, [b_b_d]
    shr eax, 8
    and eax, 0xF
    cmp eax, 0xB
.f5: call ok_if_equal

    mov esi, msg_iret
    pushfd
    pop eax
    test eax, NT                                  ; our own NT: still clear
    jnz .f6
    mov eax, [GDT_BASE + SEL_TB + 4]              ; IRET left B: available
    shr eax, 8
    and eax, 0xF
    cmp eax, 9
    jne .f6
    test dword [TSS_B + 0x24], NT                 ; B's saved EFLAGS: NT cleared
    jnz .f6
    cmp dword [TSS_B + 0x20], task_b.after        ; B's saved EIP: after its IRET
.f6: call ok_if_equal

    call SEL_GATE_B:0                             ; resumes B after its IRET
    mov esi, msg_call_again
    cmp dword [b_count], 2
    call ok_if_equal

    ; ---------------------------------------------------- busy and limit checks
    mov dword [resume], .t1
    mov dword [got_vec], -1
    call SEL_TMAIN:0                              ; ourselves: busy
.t1: mov ebx, 13
    mov edx, SEL_TMAIN
    mov esi, msg_busy_call
    call check_fault

    mov dword [resume], .t2
    mov dword [got_vec], -1
    call SEL_GATE_M:0                             ; through a gate: error names the TSS
.t2: mov ebx, 13
    mov edx, SEL_TMAIN
    mov esi, msg_busy_gate
    call check_fault

    mov dword [resume], .t3
    mov dword [got_vec], -1
    jmp SEL_TSMALL:0
.t3: mov ebx, 10
    mov edx, SEL_TSMALL
    mov esi, msg_small
    call check_fault

    mov dword [resume], .t4
    mov dword [got_vec], -1
    jmp SEL_TNP:0
.t4: mov ebx, 11
    mov edx, SEL_TNP
    mov esi, msg_np
    call check_fault
    mov esi, msg_busy_kept                        ; failed switches change nothing
    mov eax, [GDT_BASE + SEL_TMAIN + 4]
    shr eax, 8
    and eax, 0xF
    cmp eax, 0xB
    jne .f7
    str ax
    cmp ax, SEL_TMAIN
.f7: call ok_if_equal

    ; ---------------------------------------------------- #GP through a task gate
    mov bl, 13
    mov dx, SEL_TX
    call set_task_gate
    mov dword [resume], .after_gp
    mov ax, SEL_BEYOND
.gp_insn:
    mov ds, ax
.after_gp:
    mov eax, fault13
    mov bl, 13
    mov dx, 0x8E00
    call set_gate
    mov esi, msg_gp_task
    cmp dword [x_err], SEL_BEYOND
    jne .f8
    cmp dword [x_esp], X_SP                       ; exactly one dword pushed
    jne .f8
    cmp dword [x_link], SEL_TMAIN
    jne .f8
    REQUIRE_BITS dword [x_flags], NT, .f8
    cmp dword [x_eip], .gp_insn                   ; faulting EIP saved in our TSS
.f8: call ok_if_equal

    ; ---------------------------------------------------- #DE through a task gate
    mov dword [resume], .after_de
    xor ecx, ecx
    mov eax, 1
.de_insn:
    div ecx
.after_de:
    mov esi, msg_de_task
    cmp dword [de_esp], DE_SP                     ; no error code
    jne .f9
    cmp dword [de_eip], .de_insn
.f9: call ok_if_equal

    ; ---------------------------------------------------- 16-bit TSS
    call SEL_T16:0
    mov esi, msg_tss16
    cmp dword [t16_bx], 0x1616
    jne .f10
    cmp dword [t16_link], SEL_TMAIN
    jne .f10
    REQUIRE_BITS dword [t16_flags], NT, .f10
    mov eax, [GDT_BASE + SEL_T16 + 4]
    shr eax, 8
    and eax, 0xF
    cmp eax, 1                                    ; available 16-bit TSS again
    jne .f10
    cmp word [TSS_16 + 0x0E], R(task16.after)     ; saved IP
.f10: call ok_if_equal

    ; ---------------------------------------------------- fault after the commit point
    mov bl, 10
    mov dx, SEL_TTSH
    call set_task_gate
    jmp SEL_TBAD:0
.back_bad:
    mov eax, fault10
    mov bl, 10
    mov dx, 0x8E00
    call set_gate
    mov esi, msg_commit
    cmp dword [tsh_err], SEL_CODE0                ; #TS names the bad SS
    jne .f11
    cmp dword [tsh_link], SEL_TBAD                ; raised in the new task
    jne .f11
    cmp dword [tsh_eip], task_bad                 ; with the new task's EIP
    jne .f11
    mov eax, [tsh_bad_d]
    shr eax, 8
    and eax, 0xF
    cmp eax, 0xB
.f11: call ok_if_equal

    ; ---------------------------------------------------- a virtual-8086 task
    mov dword [got_vec], -1
    mov dword [resume], v86_resume - v86_start
    jmp SEL_TV86:0
.back_v86:                                        ; via INT 0x40, nested: NT set
    pushfd
    pop eax
    mov [v86_mflags], eax
    pushfd
    and dword [esp], ~NT
    popfd
    mov esi, msg_v86_task
    cmp word [V86_SEG * 16 + 0x100], 0x8686       ; BX from its TSS
    jne .f12
    cmp word [V86_SEG * 16 + 0x102], V86_CODE >> 4 ; CS = selector, base << 4
    jne .f12
    cmp word [V86_SEG * 16 + 0x104], V86_SEG
.f12: call ok_if_equal
    mov esi, msg_v86_dpl
    cmp dword [got_vec], 13
    jne .f13
    cmp dword [got_err], 0x41*8 + 2
.f13: call ok_if_equal
    mov esi, msg_v86_back
    REQUIRE_BITS dword [v86_mflags], NT, .f14
    cmp word [TSS_MAIN], SEL_TV86                 ; back link
    jne .f14
    REQUIRE_BITS dword [TSS_V86 + 0x24], 0x20000, .f14   ; saved EFLAGS.VM
    cmp word [TSS_V86 + 0x4C], V86_CODE >> 4      ; saved CS
    jne .f14
    cmp dword [TSS_V86 + 0x20], v86_after - v86_start
.f14: call ok_if_equal

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; ---------------------------------------------------------------- tasks
task_a:
    mov [a_ebx], ebx
    mov [a_esi], esi
    pushfd
    pop eax
    mov [a_flags], eax
    mov eax, cr0
    mov [a_cr0], eax
    xor eax, eax
    str ax
    mov [a_tr], eax
    mov eax, [GDT_BASE + SEL_TMAIN + 4]
    mov [a_main_d], eax
    mov eax, [GDT_BASE + SEL_TA + 4]
    mov [a_a_d], eax
    clts
    jmp SEL_TMAIN:0
.after:
    jmp .after

task_b:
    pushfd
    pop eax
    mov [b_flags], eax
    movzx eax, word [TSS_B]
    mov [b_link], eax
    mov eax, [GDT_BASE + SEL_TMAIN + 4]
    mov [b_main_d], eax
    mov eax, [GDT_BASE + SEL_TB + 4]
    mov [b_b_d], eax
    inc dword [b_count]
    iretd
.after:
    jmp task_b

; #GP handler task: the error code is on its stack
task_x:
    pop eax
    mov [x_err], eax
    mov [x_esp], esp
    movzx eax, word [TSS_X]
    mov [x_link], eax
    pushfd
    pop eax
    mov [x_flags], eax
    mov eax, [TSS_MAIN + 0x20]
    mov [x_eip], eax
    mov eax, [resume]
    mov [TSS_MAIN + 0x20], eax
    iretd
    jmp task_x

task_de:
    mov [de_esp], esp
    mov eax, [TSS_MAIN + 0x20]
    mov [de_eip], eax
    mov eax, [resume]
    mov [TSS_MAIN + 0x20], eax
    iretd
    jmp task_de

; its TSS has SS = a code selector: #TS after the commit point; should
; that not happen, it goes back and the check fails
task_bad:
    jmp SEL_TMAIN:0

; #TS handler task
task_tsh:
    pop eax
    mov [tsh_err], eax
    movzx eax, word [TSS_TSH]
    mov [tsh_link], eax
    mov eax, [TSS_BAD + 0x20]
    mov [tsh_eip], eax
    mov eax, [GDT_BASE + SEL_TBAD + 4]
    mov [tsh_bad_d], eax
    jmp SEL_TMAIN:0

bits 16
; 16-bit task, CS base 0xF0000: offsets are ROM offsets
task16:
    mov [t16_bx], bx
    mov ax, [TSS_16]
    mov [t16_link], ax
    pushf
    pop ax
    mov [t16_flags], ax
    iret
.after:
    jmp task16

; virtual-8086 task, copied to V86_CODE; DS = SS = V86_SEG
v86_start:
    mov [0x100], bx
    mov ax, cs
    mov [0x102], ax
    mov ax, ss
    mov [0x104], ax
    int 0x41                    ; DPL-0 task gate at CPL 3: #GP(0x41*8+2)
v86_resume:                     ; the #GP handler returns here
    int 0x40                    ; DPL-3 task gate: to the main task
v86_after:
    jmp v86_after
v86_end:
bits 32

; ---------------------------------------------------------------- fault handlers
%macro FAULT_ERR 1
fault%1:
    push dword %1
    jmp fault_common
%endmacro
FAULT_ERR 10
FAULT_ERR 11
FAULT_ERR 12
FAULT_ERR 13

fault_common:
    push eax
    push ds
    mov ax, SEL_DATA0
    mov ds, ax
    mov eax, [esp + 8]          ; vector
    mov [got_vec], eax
    mov eax, [esp + 12]         ; error code
    mov [got_err], eax
    mov eax, [esp + 16]         ; faulting EIP
    mov [got_eip], eax
    mov eax, [resume]
    mov [esp + 16], eax
    mov dword [resume], lost    ; one shot: the next unexpected fault ends the test
    pop ds
    pop eax
    add esp, 8
    iretd

; An unexpected fault (a broken switch sends control astray): report, stop.
lost:
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov esi, msg_lost
    call fail
    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; ---------------------------------------------------------------- helpers
check_fault:
    cmp [got_vec], ebx
    jne fail
    cmp [got_err], edx
    jne fail
    jmp ok

PM_HARNESS_ROUTINES

build_idt:
    CLEAR_IDT
    mov bl, 0
    mov dx, SEL_TDE
    call set_task_gate
    mov bl, 0x40                ; DPL-3 task gate to the main task
    mov dx, SEL_TMAIN
    call set_task_gate
    mov word [edi + 4], 0xE500
    mov bl, 0x41                ; the same with DPL 0
    call set_task_gate
    mov dx, 0x8E00
    mov eax, fault10
    mov bl, 10
    call set_gate
    mov eax, fault11
    mov bl, 11
    call set_gate
    mov eax, fault12
    mov bl, 12
    call set_gate
    mov eax, fault13
    mov bl, 13
    call set_gate
    ret

; BL = vector, DX = TSS selector: present DPL-0 task gate
set_task_gate:
    movzx ecx, bl
    lea edi, [IDT_BASE + ecx*8]
    mov word [edi], 0
    mov [edi + 2], dx
    mov word [edi + 4], 0x8500
    mov word [edi + 6], 0
    ret

; EDI = TSS base, EAX = EIP, EBX = ESP: a 32-bit ring-0 task with flat
; segments, EFLAGS = 2, no LDT
init_tss32:
    push eax
    push edi
    xor eax, eax
    mov ecx, 104/4
    rep stosd
    pop edi
    pop eax
    mov [edi + 0x20], eax
    mov dword [edi + 0x24], 2
    mov [edi + 0x38], ebx
    mov word [edi + 0x48], SEL_DATA0    ; ES
    mov word [edi + 0x4C], SEL_CODE0    ; CS
    mov word [edi + 0x50], SEL_DATA0    ; SS
    mov word [edi + 0x54], SEL_DATA0    ; DS
    mov word [edi + 0x58], SEL_DATA0    ; FS
    mov word [edi + 0x5C], SEL_DATA0    ; GS
    mov word [edi + 0x66], 104          ; no I/O bitmap
    ret

build_tsses:
    mov edi, TSS_MAIN
    xor eax, eax
    mov ebx, MAIN_SP
    call init_tss32
    mov edi, TSS_A
    mov eax, task_a
    mov ebx, A_SP
    call init_tss32
    mov dword [TSS_A + 0x34], 0xA0A0A0A0    ; EBX
    mov dword [TSS_A + 0x40], 0xA5A5A5A5    ; ESI
    mov edi, TSS_B
    mov eax, task_b
    mov ebx, B_SP
    call init_tss32
    mov edi, TSS_X
    mov eax, task_x
    mov ebx, X_SP
    call init_tss32
    mov edi, TSS_DE
    mov eax, task_de
    mov ebx, DE_SP
    call init_tss32
    mov edi, TSS_BAD
    mov eax, task_bad
    mov ebx, BAD_SP
    call init_tss32
    mov word [TSS_BAD + 0x50], SEL_CODE0    ; SS = code segment: #TS(SS)
    mov edi, TSS_TSH
    mov eax, task_tsh
    mov ebx, TSH_SP
    call init_tss32
    mov edi, TSS_SMALL
    mov eax, task_bad
    mov ebx, BAD_SP
    call init_tss32
    mov edi, TSS_NP
    mov eax, task_bad
    mov ebx, BAD_SP
    call init_tss32
    mov edi, TSS_V86
    xor eax, eax
    mov ebx, 0xF00
    call init_tss32
    mov dword [TSS_V86 + 0x04], V86_R0SP    ; ESP0
    mov dword [TSS_V86 + 0x08], SEL_DATA0   ; SS0
    mov dword [TSS_V86 + 0x24], 0x23002     ; EFLAGS: VM, IOPL 3
    mov dword [TSS_V86 + 0x34], 0x8686      ; EBX
    mov word [TSS_V86 + 0x48], V86_SEG      ; ES
    mov word [TSS_V86 + 0x4C], V86_CODE >> 4 ; CS
    mov word [TSS_V86 + 0x50], V86_SEG      ; SS
    mov word [TSS_V86 + 0x54], V86_SEG      ; DS
    mov word [TSS_V86 + 0x58], 0            ; FS
    mov word [TSS_V86 + 0x5C], 0            ; GS
    ; 16-bit TSS
    mov edi, TSS_16
    xor eax, eax
    mov ecx, 44/4
    rep stosd
    mov word [TSS_16 + 0x0E], R(task16)     ; IP
    mov word [TSS_16 + 0x10], 2             ; FLAGS
    mov word [TSS_16 + 0x18], 0x1616        ; BX
    mov word [TSS_16 + 0x1A], T16_SP        ; SP
    mov word [TSS_16 + 0x22], SEL_DATA0     ; ES
    mov word [TSS_16 + 0x24], SEL_CODE16    ; CS
    mov word [TSS_16 + 0x26], SEL_DATA16    ; SS
    mov word [TSS_16 + 0x28], SEL_DATA0     ; DS
    ret

idt_ptr: dw 256*8 - 1
         dd IDT_BASE

msg_banner:     db "hardware task switch test", 10, 0
msg_regs_back:  db "JMP back to the old task restores its registers", 0
msg_jmp_load:   db "JMP to a TSS loads the new task's registers and TR", 0
msg_jmp_saved:  db "old TSS holds the saved EIP, GPRs and selectors", 0
msg_jmp_busy:   db "JMP: old task available, new task busy, NT clear", 0
msg_ts:         db "task switch sets CR0.TS", 0
msg_call_nt:    db "CALL through a task gate: NT, back link, both busy", 0
msg_iret:       db "IRET to the back link: NT kept clear, left task available", 0
msg_call_again: db "second CALL resumes the task after its IRET", 0
msg_busy_call:  db "CALL to a busy TSS -> #GP(TSS)", 0
msg_busy_gate:  db "CALL through a task gate to a busy TSS -> #GP(TSS)", 0
msg_small:      db "TSS limit below 0x67 -> #TS(TSS)", 0
msg_np:         db "not-present TSS -> #NP(TSS)", 0
msg_busy_kept:  db "failed task switches leave TR and busy bits alone", 0
msg_gp_task:    db "#GP through a task gate: error code on the new task's stack", 0
msg_de_task:    db "#DE through a task gate: nothing pushed, faulting EIP saved", 0
msg_tss16:      db "CALL to a 16-bit TSS and IRET back", 0
msg_v86_task:   db "JMP to a TSS with EFLAGS.VM: a virtual-8086 task", 0
msg_v86_dpl:    db "INT n through a DPL-0 task gate at CPL 3 -> #GP(vector*8+2)", 0
msg_v86_back:   db "INT n through a task gate nests: NT, back link, VM saved", 0
msg_lost:       db "unexpected fault: control lost", 0
msg_commit:     db "bad SS after the commit point -> #TS in the new task", 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE

%define TSS32(base, limit, access) (limit | (base << 16) | (access << 40))
%define TASKGATE(sel) ((sel << 16) | (0x85 << 40))
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF                   ; 0x08 code, ring 0, flat 32-bit
    dq 0x00CF93000000FFFF                   ; 0x10 data, ring 0, flat
    dq TSS32(TSS_MAIN, 0x67, 0x89)          ; 0x18
    dq TSS32(TSS_A, 0x67, 0x89)             ; 0x20
    dq TSS32(TSS_B, 0x67, 0x89)             ; 0x28
    dq TSS32(TSS_X, 0x67, 0x89)             ; 0x30
    dq TSS32(TSS_DE, 0x67, 0x89)            ; 0x38
    dq TSS32(TSS_16, 0x2B, 0x81)            ; 0x40 16-bit TSS
    dq TSS32(TSS_BAD, 0x67, 0x89)           ; 0x48
    dq TSS32(TSS_TSH, 0x67, 0x89)           ; 0x50
    dq TSS32(TSS_SMALL, 0x60, 0x89)         ; 0x58 limit 0x60: holds the saved fields, not a whole TSS
    dq TSS32(TSS_NP, 0x67, 0x09)            ; 0x60 not present
    dq TASKGATE(SEL_TB)                     ; 0x68
    dq TASKGATE(SEL_TMAIN)                  ; 0x70
    dq 0x00009B0F0000FFFF                   ; 0x78 code, 16-bit, base 0xF0000
    dq 0x000093000000FFFF                   ; 0x80 data, 16-bit
    dq TSS32(TSS_V86, 0x67, 0x89)           ; 0x88 virtual-8086 task
gdt_end:

RESET_VECTOR start16

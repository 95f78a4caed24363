; DR0-DR3 breakpoints and EFLAGS.RF (Intel SDM Vol. 3B 18.2-18.3):
;   - an instruction breakpoint is a fault: #DB before the instruction, with
;     its EIP pushed, DR6.Bn set and RF pushed as 0; the handler sets RF in
;     the image and the instruction then runs exactly once;
;   - a write breakpoint is a trap after the writing instruction (EIP of the
;     next one), matching any byte of its aligned range, and not on reads;
;   - a read/write breakpoint also fires on reads;
;   - an I/O breakpoint (R/W = 10, CR4.DE = 1) is a trap after IN/OUT;
;   - DR7.GD makes a debug-register access a #DB fault with DR6.BD, and
;     the processor clears GD so the handler may use them;
;   - a single-step trap and a data breakpoint hit by the same instruction
;     are one #DB with both BS and Bn in DR6;
;   - any other fault (#GP) pushes RF = 1.
; Ends with isa-debug-exit: status (failures << 1) | 1.
bits 16
cpu 686
org 0xF0000
%include "pm_harness.inc"

DEBUGCON  equ 0xE9
DEBUGEXIT equ 0xF4
GDT_BASE  equ 0x1000
IDT_BASE  equ 0x2000
VARS      equ 0x4000
RING0_SP  equ 0x9000
failures  equ VARS + 0
db_count  equ VARS + 4
db_eip    equ VARS + 8
db_dr6    equ VARS + 12
db_rf     equ VARS + 16
runs      equ VARS + 20
watched   equ VARS + 0x40      ; 8-byte aligned
gp_rf     equ VARS + 24
db_count2 equ VARS + 28
SEL_CODE0 equ 0x08
SEL_DATA0 equ 0x10

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov edi, VARS
    xor eax, eax
    mov ecx, 32
    rep stosd
    mov edi, IDT_BASE
    mov ecx, 256*2
    rep stosd
    mov eax, db_handler
    mov bl, 1
    mov dx, 0x8E00
    call set_gate
    mov eax, gp_handler
    mov bl, 13
    call set_gate
    lidt [idt_ptr]
    mov esi, msg_banner
    call puts

    ; --- instruction breakpoint on `target` ---
    mov eax, target
    mov dr0, eax
    mov eax, 0x00000001          ; L0, R/W0 = 00 (execute), LEN0 = 00
    mov dr7, eax
target:
    inc dword [runs]
    xor eax, eax
    mov dr7, eax
    mov esi, msg_exec
    cmp dword [db_count], 1
    jne .f1
    cmp dword [db_eip], target
    jne .f1
    test dword [db_dr6], 1
    jz .f1
    cmp dword [db_rf], 0
    jne .f1
    cmp dword [runs], 1
.f1: call ok_if_equal

    ; --- write breakpoint on a dword ---
    mov dword [db_count], 0
    mov eax, watched
    mov dr1, eax
    mov eax, 0x00D00004          ; L1, R/W1 = 01 (write), LEN1 = 11 (4 bytes)
    mov dr7, eax
    mov eax, [watched]           ; a read: no trap
    mov byte [watched + 2], 5    ; writes a byte inside the range: trap after it
.after_write:
    xor eax, eax
    mov dr7, eax
    mov esi, msg_write
    cmp dword [db_count], 1
    jne .f2
    cmp dword [db_eip], .after_write
    jne .f2
    test dword [db_dr6], 2
    jz .f2
    cmp byte [watched + 2], 5
.f2: call ok_if_equal

    ; --- read/write breakpoint fires on a read ---
    mov dword [db_count], 0
    mov eax, 0x00F00004          ; L1, R/W1 = 11, LEN1 = 11
    mov dr7, eax
    mov eax, [watched + 3]       ; overlaps the last byte
.after_read:
    xor eax, eax
    mov dr7, eax
    mov esi, msg_read
    cmp dword [db_count], 1
    jne .f3
    cmp dword [db_eip], .after_read
.f3: call ok_if_equal

    ; --- I/O breakpoint on port 0x80 (needs CR4.DE) ---
    mov dword [db_count], 0
    mov eax, cr4
    or eax, 8                    ; DE
    mov cr4, eax
    mov eax, 0x80
    mov dr2, eax
    mov eax, 0x02000010          ; L2, R/W2 = 10 (I/O), LEN2 = 00
    mov dr7, eax
    mov al, 0x55
    out 0x80, al
.after_out:
    xor eax, eax
    mov dr7, eax
    mov esi, msg_io
    cmp dword [db_count], 1
    jne .f4
    cmp dword [db_eip], .after_out
    jne .f4
    test dword [db_dr6], 4
    jz .f4
    cmp eax, eax
.f4: call ok_if_equal

    ; --- DR7.GD: general detect ---
    mov dword [db_count], 0
    mov eax, 0x00002400          ; GD and the fixed bit 10
    mov dr7, eax
.gd_insn:
    mov eax, dr0                 ; #DB fault; runs once GD is cleared
    mov ebx, dr7
    mov esi, msg_gd
    cmp dword [db_count], 1
    jne .f5
    cmp dword [db_eip], .gd_insn
    jne .f5
    test dword [db_dr6], 0x2000  ; BD
    jz .f5
    test ebx, 0x2000             ; GD cleared by the processor
    jnz .f5
    cmp eax, eax
.f5: call ok_if_equal

    ; --- single step and a data breakpoint in one #DB ---
    mov dword [db_count], 0
    mov eax, watched
    mov dr1, eax
    mov eax, 0x00D00004          ; L1, write, 4 bytes
    mov dr7, eax
    pushfd
    or dword [esp], 0x100        ; TF: traps after the instruction after POPFD
    popfd
    mov byte [watched + 1], 7
.after_both:
    xor eax, eax
    mov dr7, eax
    mov esi, msg_both
    cmp dword [db_count], 1
    jne .f6
    cmp dword [db_eip], .after_both
    jne .f6
    mov eax, [db_dr6]
    and eax, 0x4002
    cmp eax, 0x4002
.f6: call ok_if_equal

    ; --- other faults push RF = 1 ---
    mov dword [gp_rf], -1
    mov ax, 0x78                 ; past the GDT limit: #GP
    mov ds, ax
after_gp:
    mov esi, msg_gp_rf
    cmp dword [gp_rf], 1
    call ok_if_equal

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; #DB: record, and set RF in the image so an instruction breakpoint
; does not fire again on return.
db_handler:
    push eax
    inc dword [db_count]
    mov eax, [esp + 4]
    mov [db_eip], eax
    mov eax, [esp + 12]
    shr eax, 16
    and eax, 1
    mov [db_rf], eax
    mov eax, dr6
    mov [db_dr6], eax
    and eax, ~0x600F             ; software clears DR6's B0-B3, BD and BS
    mov dr6, eax
    or dword [esp + 12], 0x10000
    and dword [esp + 12], ~0x100 ; and stops single-stepping
    pop eax
    iretd

gp_handler:
    push eax
    mov ax, SEL_DATA0
    mov ds, ax
    mov eax, [esp + 16]          ; EFLAGS, above EAX, the error code, EIP, CS
    shr eax, 16
    and eax, 1
    mov [gp_rf], eax
    mov dword [esp + 8], after_gp
    pop eax
    add esp, 4
    iretd

PM_HARNESS_ROUTINES

idt_ptr: dw 256*8 - 1
         dd IDT_BASE
msg_banner: db "debug registers and RF test", 10, 0
msg_exec:   db "instruction breakpoint: fault before it, RF pushed 0, runs once after RF", 0
msg_write:  db "write breakpoint: trap after a write inside its range, not on reads", 0
msg_read:   db "read/write breakpoint fires on an overlapping read", 0
msg_io:     db "I/O breakpoint (CR4.DE): trap after OUT", 0
msg_gd:     db "DR7.GD: #DB fault with DR6.BD, GD cleared", 0
msg_both:   db "single step and data breakpoint: one #DB with BS and B1", 0
msg_gp_rf:  db "other faults push RF = 1", 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code
    dq 0x00CF93000000FFFF       ; 0x10 data
gdt_end:

RESET_VECTOR start16

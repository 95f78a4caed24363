; Priorities among simultaneous events (Intel SDM Vol. 3A, 6.9, Table 6-2)
; and the order of checks within one access:
;   - segmentation before paging: an access beyond the segment limit on a
;     not-present page is #GP(0), not #PF; inside the limit it is #PF;
;   - a code breakpoint (priority 7) comes before the fault from fetching
;     the instruction (priority 8): #DB with EIP = the target, then, once
;     the handler sets RF, #PF with CR2 = the target;
;   - a single-step trap on the previous instruction (priority 4) comes
;     before a pending maskable interrupt (priority 6): after STI with TF
;     set and IRQ0 pending, #DB is delivered first, then the interrupt;
;   - a fault cancels the single-step trap of the faulting instruction.
; Runs with -icount so the PIT's IRQ0 comes at a fixed instruction.
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
PD        equ 0x10000
PT        equ 0x11000
P_NP      equ 0x20000            ; not present
RING0_SP  equ 0x9000

failures  equ VARS + 0
seq       equ VARS + 4           ; events recorded so far
events    equ VARS + 8           ; 8 dwords: vector of each event in order
got_err   equ VARS + 0x30
got_cr2   equ VARS + 0x34
got_eip   equ VARS + 0x38
resume    equ VARS + 0x3C

SEL_CODE0 equ 0x08
SEL_DATA0 equ 0x10
SEL_NPSEG equ 0x18               ; data segment at P_NP, limit 0xFFF

%define PTE_OF(x) (PT + ((x) >> 12) * 4)

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov dword [failures], 0
    CLEAR_IDT
    mov dx, 0x8E00
    mov eax, db_handler
    mov bl, 1
    call set_gate
    mov eax, gp_handler
    mov bl, 13
    call set_gate
    mov eax, pf_handler
    mov bl, 14
    call set_gate
    mov eax, irq0_handler
    mov bl, 0x20
    call set_gate
    lidt [idt_ptr]
    mov esi, msg_banner
    call puts

    ; identity map 0..4 MiB except the not-present page
    mov edi, PT
    mov eax, 0x003
    mov ecx, 1024
.fill:
    stosd
    add eax, 0x1000
    loop .fill
    mov dword [PTE_OF(P_NP)], 0
    mov edi, PD
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov dword [PD], PT | 3
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax

    ; --- segmentation before paging ---
    mov ax, SEL_NPSEG
    mov fs, ax
    call clear_events
    mov dword [resume], .seg1
    mov eax, [fs:0x1000]         ; beyond the limit, on the not-present page
.seg1:
    mov dword [resume], .seg2
    mov eax, [fs:0x10]           ; inside the limit: the page faults
.seg2:
    mov esi, msg_seg
    cmp dword [seq], 2
    jne .f1
    cmp dword [events], 13
    jne .f1
    cmp dword [events + 4], 14
    jne .f1
    cmp dword [got_cr2], P_NP + 0x10
.f1: call ok_if_equal

    ; --- code breakpoint before the code page fault ---
    call clear_events
    mov eax, P_NP + 0x100
    mov dr0, eax
    mov eax, 0x00000001          ; L0, execute
    mov dr7, eax
    mov dword [resume], .code_done
    jmp P_NP + 0x100
.code_done:
    xor eax, eax
    mov dr7, eax
    mov esi, msg_code
    cmp dword [seq], 2
    jne .f2
    cmp dword [events], 1        ; #DB first ...
    jne .f2
    cmp dword [events + 4], 14   ; ... then #PF on the fetch
    jne .f2
    cmp dword [got_cr2], P_NP + 0x100
.f2: call ok_if_equal

    ; --- single-step trap before a pending interrupt ---
    ; PIC: master at vector 0x20, only IRQ0 unmasked; slave masked.
    mov al, 0x11
    out 0x20, al
    out 0xA0, al
    mov al, 0x20
    out 0x21, al
    mov al, 0x28
    out 0xA1, al
    mov al, 0x04
    out 0x21, al
    mov al, 0x02
    out 0xA1, al
    mov al, 0x01
    out 0x21, al
    out 0xA1, al
    mov al, 0xFE
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al
    ; PIT counter 0, mode 0, count 2: OUT rises (IRQ0) a few microseconds later.
    mov al, 0x30
    out 0x43, al
    mov al, 2
    out 0x40, al
    xor al, al
    out 0x40, al
    mov ecx, 2000                ; IF = 0: let IRQ0 become pending
.spin:
    loop .spin
    call clear_events
    pushfd
    or dword [esp], 0x100        ; TF (IF still 0)
    popfd
    sti                          ; the single-step trap follows STI
    nop
    nop
    cli
    mov esi, msg_trap_irq
    cmp dword [seq], 2
    jne .f3
    cmp dword [events], 1
    jne .f3
    cmp dword [events + 4], 0x20
.f3: call ok_if_equal

    ; --- a faulting instruction has no single-step trap ---
    call clear_events
    mov dword [resume], .after_gp
    mov ax, 0x7F8                ; beyond the GDT limit
    pushfd
    or dword [esp], 0x100
    popfd
.gp_insn:
    mov gs, ax                   ; #GP with TF set: no trap for it
.after_gp:
    pushfd
    and dword [esp], ~0x100
    popfd
    mov esi, msg_fault_no_trap
    cmp dword [events], 13       ; #GP, and no #DB before it
    jne .f4
    cmp dword [got_eip], .gp_insn
.f4: call ok_if_equal

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

clear_events:
    mov dword [seq], 0
    mov edi, events
    xor eax, eax
    mov ecx, 8
    rep stosd
    ret

; Appends vector AL to the event list.
record:
    push ebx
    mov ebx, [seq]
    and ebx, 7
    movzx eax, al
    mov [events + ebx * 4], eax
    inc dword [seq]
    pop ebx
    ret

; #DB: record; set RF and clear TF in the image, clear DR6.
db_handler:
    push eax
    mov al, 1
    call record
    xor eax, eax
    mov dr6, eax
    or dword [esp + 12], 0x10000
    and dword [esp + 12], ~0x100
    pop eax
    iretd

; #GP/#PF: record vector, error code, CR2, faulting EIP; continue at [resume].
gp_handler:
    push eax
    mov al, 13
    jmp fault_common
pf_handler:
    push eax
    mov al, 14
fault_common:
    call record
    mov eax, [esp + 4]
    mov [got_err], eax
    mov eax, cr2
    mov [got_cr2], eax
    mov eax, [esp + 8]
    mov [got_eip], eax
    mov eax, [resume]
    mov [esp + 8], eax
    pop eax
    add esp, 4
    iretd

irq0_handler:
    push eax
    mov al, 0x20
    call record
    mov al, 0x20                 ; non-specific EOI
    out 0x20, al
    pop eax
    iretd

PM_HARNESS_ROUTINES

idt_ptr: dw 256*8 - 1
         dd IDT_BASE

msg_banner:        db "event priority test", 10, 0
msg_seg:           db "segment limit #GP before #PF; inside the limit #PF", 0
msg_code:          db "code breakpoint #DB before the code-fetch #PF", 0
msg_trap_irq:      db "single-step trap before a pending interrupt", 0
msg_fault_no_trap: db "a faulting instruction takes no single-step trap", 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code, ring 0
    dq 0x00CF93000000FFFF       ; 0x10 data, ring 0
    dq 0x0040930200000FFF       ; 0x18 data at P_NP (0x20000), limit 0xFFF, byte granular
gdt_end:

RESET_VECTOR start16

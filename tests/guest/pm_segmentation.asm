; Protected-mode segmentation, IDT delivery and privilege changes, checked
; the way the SDM specifies them. Runs from the reset vector as a 64 KiB ROM,
; enters 32-bit protected mode, then checks (each prints "ok" or "FAIL"):
;   segment loads: #GP past the GDT limit, #NP for a not-present segment,
;   #GP for a write through a read-only segment and past a limit, #SS for a
;   not-writable stack selector; #DE pushes the faulting EIP;
;   ring 3 via IRET to an outer level; INT n through a DPL-3 trap gate with a
;   stack switch from the TSS; #GP for HLT and CLI at CPL 3; #GP(vector*8+2)
;   for INT n through a DPL-0 gate; a call gate to ring 0 and RETF back;
;   data segments nulled on return to an outer level; LAR/LSL/VERR/VERW/ARPL.
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
VARS      equ 0x4000
RING0_SP  equ 0x8000
RING3_SP  equ 0xA000

; variables in RAM
got_vec   equ VARS + 0
got_err   equ VARS + 4
got_eip   equ VARS + 8
resume    equ VARS + 12
failures  equ VARS + 16
frame_ss  equ VARS + 20
frame_esp equ VARS + 24
frame_cs  equ VARS + 28
r3_seen   equ VARS + 32

; selectors
SEL_CODE0 equ 0x08
SEL_DATA0 equ 0x10
SEL_NP    equ 0x18     ; data, not present
SEL_RO    equ 0x20     ; read-only data
SEL_SMALL equ 0x28     ; data, limit 0xFFF
SEL_TSS   equ 0x30
SEL_CODE3 equ 0x38
SEL_DATA3 equ 0x40
SEL_GATE  equ 0x48     ; call gate, DPL 3 -> SEL_CODE0:gate_target
SEL_BEYOND equ 0x78    ; past the GDT limit

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov dword [failures], 0
    call build_idt
    lidt [idt_ptr]
    ; TSS: ESP0/SS0 for the ring 3 -> 0 transitions
    mov edi, TSS_BASE
    xor eax, eax
    mov ecx, 104/4
    rep stosd
    mov dword [TSS_BASE + 4], RING0_SP
    mov dword [TSS_BASE + 8], SEL_DATA0
    mov ax, SEL_TSS
    ltr ax

    mov esi, msg_banner
    call puts

    ; --- segment loads and limits ---
    mov dword [resume], .t1
    mov dword [got_vec], -1
    mov ax, SEL_BEYOND
    mov ds, ax
.t1: mov ebx, 13
    mov edx, SEL_BEYOND
    mov esi, msg_beyond
    call check_fault

    mov dword [resume], .t2
    mov dword [got_vec], -1
    mov ax, SEL_NP
    mov es, ax
.t2: mov ebx, 11
    mov edx, SEL_NP
    mov esi, msg_np
    call check_fault
    mov ax, SEL_DATA0
    mov es, ax

    mov dword [resume], .t3
    mov dword [got_vec], -1
    mov ax, SEL_RO
    mov fs, ax
    mov eax, [fs:0x10]          ; reading is fine
    mov byte [fs:0x10], 1       ; writing is #GP(0)
.t3: mov ebx, 13
    xor edx, edx
    mov esi, msg_ro
    call check_fault

    mov dword [resume], .t4
    mov dword [got_vec], -1
    mov ax, SEL_SMALL
    mov gs, ax
    mov eax, [gs:0xFFC]         ; last dword inside the limit
    mov eax, [gs:0xFFE]         ; crosses the limit: #GP(0)
.t4: mov ebx, 13
    xor edx, edx
    mov esi, msg_limit
    call check_fault

    mov dword [resume], .t5
    mov dword [got_vec], -1
    mov ax, SEL_RO
    mov ss, ax                  ; not writable: #GP(selector)
.t5: mov ebx, 13
    mov edx, SEL_RO
    mov esi, msg_ss
    call check_fault

    mov dword [resume], .t6
    mov dword [got_vec], -1
    xor ecx, ecx
    mov eax, 7
.div: div ecx
.t6: mov ebx, 0
    mov edx, -1
    mov esi, msg_de
    call check_fault
    cmp dword [got_eip], .div
    je .de_eip_ok
    mov esi, msg_de_eip
    call fail
.de_eip_ok:

    ; --- LAR / LSL / VERR / VERW / ARPL ---
    mov esi, msg_lar
    mov ax, SEL_SMALL
    lsl ebx, ax
    jnz .lar_bad
    cmp ebx, 0xFFF
    jne .lar_bad
    lar ebx, ax
    jnz .lar_bad
    cmp ebx, 0x00409300         ; present, DPL 0, data RW accessed, D/B
    jne .lar_bad
    mov ax, SEL_RO
    verr ax
    jnz .lar_bad
    verw ax
    jz .lar_bad
    mov ax, SEL_BEYOND
    verr ax
    jz .lar_bad
    mov ax, 0x0010
    mov bx, 0x0003
    arpl ax, bx
    jnz .lar_bad
    cmp ax, 0x0013
    jne .lar_bad
    call ok
    jmp .lar_done
.lar_bad:
    call fail
.lar_done:

    ; --- to ring 3 with IRET ---
    mov ax, SEL_DATA0 | 0       ; DS stays DPL 0: must be nulled on the way out
    mov ds, ax
    push dword SEL_DATA3 | 3
    push dword RING3_SP
    pushfd
    push dword SEL_CODE3 | 3
    push dword ring3
    iretd

; ring 3 code: no I/O, results go to memory through DS = SEL_DATA3
ring3:
    mov ax, ds                  ; DS (DPL 0) must have been loaded with null
    mov [ss:r3_seen], eax
    mov ax, SEL_DATA3 | 3
    mov ds, ax
    mov es, ax
    int 0x30                    ; DPL-3 trap gate to ring 0, stack from TSS
    mov dword [resume], .h1
    mov dword [got_vec], -1
    hlt                         ; CPL 3: #GP(0)
.h1: mov eax, [got_vec]
    mov [VARS + 0x40], eax
    mov eax, [got_err]
    mov [VARS + 0x44], eax
    mov dword [resume], .h2
    mov dword [got_vec], -1
    cli                         ; IOPL 0 < CPL 3: #GP(0)
.h2: mov eax, [got_vec]
    mov [VARS + 0x48], eax
    mov dword [resume], .h3
    mov dword [got_vec], -1
    int 0x31                    ; DPL-0 gate from CPL 3: #GP(0x31*8+2)
.h3: mov eax, [got_vec]
    mov [VARS + 0x4C], eax
    mov eax, [got_err]
    mov [VARS + 0x50], eax
    call SEL_GATE:0             ; call gate to ring 0; RETF comes back here
    mov [VARS + 0x54], esp
    int 0x32                    ; to the ring-0 report, never returns

; INT 0x30 target (ring 0, trap gate): record the frame the CPU built
int30:
    mov eax, [esp + 4]
    mov [frame_cs], eax
    mov eax, [esp + 12]
    mov [frame_esp], eax
    mov eax, [esp + 16]
    mov [frame_ss], eax
    iretd

; call gate target (ring 0): CS.RPL must be 0, the caller's CS:EIP and
; SS:ESP are on the ring-0 stack
gate_target:
    mov ax, cs
    and eax, 3
    mov [VARS + 0x58], eax
    mov eax, [esp + 4]          ; caller CS
    mov [VARS + 0x5C], eax
    mov eax, [esp + 12]         ; caller SS
    mov [VARS + 0x60], eax
    retf

; INT 0x32 target: report everything, exit
report:
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov esi, msg_ring3_ds
    cmp word [r3_seen], 0
    call ok_if_equal
    mov esi, msg_int30
    cmp dword [frame_ss], SEL_DATA3 | 3
    jne .f30
    cmp dword [frame_esp], RING3_SP
    jne .f30
    cmp dword [frame_cs], SEL_CODE3 | 3
.f30: call ok_if_equal
    mov esi, msg_hlt3
    cmp dword [VARS + 0x40], 13
    jne .fh
    cmp dword [VARS + 0x44], 0
.fh: call ok_if_equal
    mov esi, msg_cli3
    cmp dword [VARS + 0x48], 13
    call ok_if_equal
    mov esi, msg_int31
    cmp dword [VARS + 0x4C], 13
    jne .fi
    cmp dword [VARS + 0x50], 0x31*8 + 2
.fi: call ok_if_equal
    mov esi, msg_gate
    cmp dword [VARS + 0x58], 0
    jne .fg
    cmp dword [VARS + 0x5C], SEL_CODE3 | 3
    jne .fg
    cmp dword [VARS + 0x60], SEL_DATA3 | 3
    jne .fg
    cmp dword [VARS + 0x54], RING3_SP
.fg: call ok_if_equal

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; ---------------------------------------------------------------- fault handlers
; Each records vector, error code and faulting EIP, then resumes at [resume]
; with the privilege level it came from.
%macro FAULT_NOERR 1
fault%1:
    push dword -1
    push dword %1
    jmp fault_common
%endmacro
%macro FAULT_ERR 1
fault%1:
    push dword %1
    jmp fault_common
%endmacro
FAULT_NOERR 0
FAULT_NOERR 6
FAULT_ERR 10
FAULT_ERR 11
FAULT_ERR 12
FAULT_ERR 13
FAULT_ERR 14

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
    pop ds
    pop eax
    add esp, 8
    iretd

; ---------------------------------------------------------------- helpers
; EBX = expected vector, EDX = expected error code, ESI = test name
check_fault:
    cmp [got_vec], ebx
    jne fail
    cmp edx, -1
    je ok
    cmp [got_err], edx
    jne fail
    jmp ok

PM_HARNESS_ROUTINES

; IDT: interrupt gates (type 0xE) for faults, trap gates for INT 30h/32h
; with DPL 3, and INT 31h with DPL 0.
build_idt:
    CLEAR_IDT
    mov eax, fault0
    mov bl, 0
    mov dx, 0x8E00
    call set_gate
    mov eax, fault6
    mov bl, 6
    call set_gate
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
    mov eax, fault14
    mov bl, 14
    call set_gate
    mov eax, int30
    mov bl, 0x30
    mov dx, 0xEF00              ; present, DPL 3, 32-bit trap gate
    call set_gate
    mov eax, int30
    mov bl, 0x31
    mov dx, 0x8F00              ; DPL 0
    call set_gate
    mov eax, report
    mov bl, 0x32
    mov dx, 0xEE00              ; DPL 3 interrupt gate
    call set_gate
    ret


idt_ptr: dw 256*8 - 1
         dd IDT_BASE

msg_banner:  db "protected-mode segmentation test", 10, 0
msg_beyond:  db "selector past the GDT limit -> #GP(sel)", 0
msg_np:      db "not-present segment -> #NP(sel)", 0
msg_ro:      db "write through read-only segment -> #GP(0)", 0
msg_limit:   db "access crossing the limit -> #GP(0)", 0
msg_ss:      db "read-only selector into SS -> #GP(sel)", 0
msg_de:      db "divide by zero -> #DE", 0
msg_de_eip:  db "#DE pushes the faulting EIP", 0
msg_lar:     db "LAR/LSL/VERR/VERW/ARPL", 0
msg_ring3_ds: db "IRET to ring 3 nulls a DPL-0 DS", 0
msg_int30:   db "INT through a DPL-3 gate switches to the TSS stack", 0
msg_hlt3:    db "HLT at CPL 3 -> #GP(0)", 0
msg_cli3:    db "CLI at CPL 3 with IOPL 0 -> #GP(0)", 0
msg_int31:   db "INT through a DPL-0 gate from CPL 3 -> #GP(vector*8+2)", 0
msg_gate:    db "call gate to ring 0 and RETF to ring 3", 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE

align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code, ring 0, flat 32-bit
    dq 0x00CF93000000FFFF       ; 0x10 data, ring 0, flat
    dq 0x00CF13000000FFFF       ; 0x18 data, not present
    dq 0x00CF91000000FFFF       ; 0x20 data, read-only
    dq 0x0040930000000FFF       ; 0x28 data, limit 0xFFF, byte granular
    dq 0x0000890000000067 | (TSS_BASE << 16)  ; 0x30 32-bit TSS
    dq 0x00CFFB000000FFFF       ; 0x38 code, ring 3
    dq 0x00CFF3000000FFFF       ; 0x40 data, ring 3
    ; 0x48 call gate, DPL 3, 32-bit, 0 parameters -> SEL_CODE0:gate_target
    dw (gate_target - $$ + 0xF0000) & 0xFFFF
    dw SEL_CODE0
    dw 0xEC00
    dw (gate_target - $$ + 0xF0000) >> 16
gdt_end:

RESET_VECTOR start16

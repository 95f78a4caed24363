; SMEP and SMAP (Intel SDM Vol. 3A, 4.6.1 "Determination of Access Rights",
; 2.5 CR4.SMEP/SMAP; Vol. 2 STAC/CLAC):
;   - CPUID.(7,0):EBX advertises SMEP (bit 7) and SMAP (bit 20);
;   - ring 0 may run code on a user page with SMEP off; with SMEP on the
;     fetch is #PF with error code P|I/D (0x11) and CR2 = the target;
;   - SMAP on, EFLAGS.AC = 0: ring-0 reads/writes of a user page are
;     #PF(P) / #PF(P|W); STAC lets both through, CLAC blocks them again;
;   - implicit supervisor accesses (here a descriptor read from an LDT on a
;     user page) are blocked by SMAP even with AC = 1;
;   - with SMAP off the same accesses work.
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
U_CODE    equ 0x20000            ; user page holding code
U_DATA    equ 0x21000            ; user page holding data
U_GDT     equ 0x22000            ; user page holding an LDT
RING0_SP  equ 0x9000

failures  equ VARS + 0
got_vec   equ VARS + 4
got_err   equ VARS + 8
got_cr2   equ VARS + 12
resume    equ VARS + 16

SEL_CODE0 equ 0x08
SEL_DATA0 equ 0x10
SEL_LDT   equ 0x18

CR4_SMEP  equ 1 << 20
CR4_SMAP  equ 1 << 21

%define PTE_OF(x) (PT + ((x) >> 12) * 4)
%define stac db 0x0F, 0x01, 0xCB   ; nasm's 686 level has no STAC/CLAC
%define clac db 0x0F, 0x01, 0xCA

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov dword [failures], 0
    CLEAR_IDT
    mov dx, 0x8E00
    mov eax, pf_handler
    mov bl, 14
    call set_gate
    lidt [idt_ptr]
    mov esi, msg_banner
    call puts

    ; --- CPUID leaf 7 ---
    mov eax, 7
    xor ecx, ecx
    cpuid
    and ebx, (1 << 7) | (1 << 20)
    mov esi, msg_cpuid
    cmp ebx, (1 << 7) | (1 << 20)
    call ok_if_equal

    ; --- identity map 0..4 MiB, supervisor; three user pages ---
    mov edi, PT
    mov eax, 0x003               ; P | RW
    mov ecx, 1024
.fill:
    stosd
    add eax, 0x1000
    loop .fill
    or dword [PTE_OF(U_CODE)], 4
    or dword [PTE_OF(U_DATA)], 4
    or dword [PTE_OF(U_GDT)], 4
    mov edi, PD
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov dword [PD], PT | 7
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax

    ; user code: mov eax, 0x600D; ret
    mov byte [U_CODE], 0xB8
    mov dword [U_CODE + 1], 0x600D
    mov byte [U_CODE + 5], 0xC3
    mov dword [U_DATA], 0x12345678
    ; an LDT on the user page holding one flat data descriptor (selector 0x04)
    mov dword [U_GDT], 0x0000FFFF
    mov dword [U_GDT + 4], 0x00CF9300
    mov ax, SEL_LDT
    lldt ax

    ; --- SMEP off: ring 0 runs user code ---
    xor eax, eax
    call U_CODE
    mov esi, msg_smep_off
    cmp eax, 0x600D
    call ok_if_equal

    ; --- SMEP on: the fetch faults ---
    mov eax, cr4
    or eax, CR4_SMEP
    mov cr4, eax
    mov dword [got_vec], -1
    mov dword [resume], .after_smep
    xor eax, eax
    call U_CODE
.after_smep:
    mov esi, msg_smep_on
    cmp dword [got_vec], 14
    jne .f1
    cmp dword [got_err], 0x11    ; P | I/D, supervisor read
    jne .f1
    cmp dword [got_cr2], U_CODE
    jne .f1
    cmp eax, 0                   ; the user code did not run
.f1: call ok_if_equal
    mov esp, RING0_SP            ; the faulting CALL left its return address

    ; --- SMAP off: ring 0 reads and writes user data ---
    mov eax, [U_DATA]
    mov dword [U_DATA + 4], 1
    mov esi, msg_smap_off
    cmp eax, 0x12345678
    call ok_if_equal

    ; --- SMAP on, AC = 0: read and write fault ---
    mov eax, cr4
    or eax, CR4_SMAP
    mov cr4, eax
    clac
    mov dword [got_vec], -1
    mov dword [resume], .after_read
    xor eax, eax
    mov eax, [U_DATA]
.after_read:
    mov ebx, [got_err]
    mov edx, [got_cr2]
    mov dword [got_vec], -1
    mov dword [resume], .after_write
    mov dword [U_DATA], 0xBAD
.after_write:
    mov esi, msg_smap_on
    cmp eax, 0
    jne .f2
    cmp ebx, 0x01                ; P, supervisor read
    jne .f2
    cmp edx, U_DATA
    jne .f2
    cmp dword [got_vec], 14
    jne .f2
    cmp dword [got_err], 0x03    ; P | W
.f2: call ok_if_equal

    ; --- STAC: allowed; CLAC: blocked again ---
    stac
    mov dword [got_vec], -1
    mov dword [resume], .after_stac
    mov eax, [U_DATA]
    mov dword [U_DATA + 8], 2
.after_stac:
    mov ebx, [U_DATA + 8]
    clac
    mov dword [resume], .after_clac
    mov ecx, [U_DATA]            ; faults: ECX keeps the marker
.after_clac:
    mov esi, msg_stac
    cmp dword [got_vec], 14      ; from the CLAC read only
    jne .f3
    cmp eax, 0x12345678
    jne .f3
    cmp ebx, 2
    jne .f3
    cmp dword [got_err], 0x01
.f3: call ok_if_equal

    ; --- implicit supervisor access with AC = 1: still blocked ---
    ; (an LDT, not the GDT: delivering the #PF must still read the GDT)
    stac
    mov dword [got_vec], -1
    mov dword [resume], .after_implicit
    mov ax, 0x04                 ; LDT entry 0, RPL 0
    mov fs, ax                   ; reads the descriptor on the user page
.after_implicit:
    clac
    mov esi, msg_implicit
    cmp dword [got_vec], 14
    jne .f4
    cmp dword [got_err], 0x01
    jne .f4
    cmp dword [got_cr2], U_GDT
.f4: call ok_if_equal

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; #PF: record vector, error code, CR2; continue at [resume].
pf_handler:
    push eax
    mov dword [got_vec], 14
    mov eax, [esp + 4]
    mov [got_err], eax
    mov eax, cr2
    mov [got_cr2], eax
    mov eax, [resume]
    mov [esp + 8], eax
    pop eax
    add esp, 4
    iretd

PM_HARNESS_ROUTINES

idt_ptr: dw 256*8 - 1
         dd IDT_BASE

msg_banner:   db "SMEP/SMAP test", 10, 0
msg_cpuid:    db "CPUID.(7,0):EBX advertises SMEP and SMAP", 0
msg_smep_off: db "SMEP off: ring 0 runs code on a user page", 0
msg_smep_on:  db "SMEP on: the fetch is #PF(P|I/D) with CR2 = target", 0
msg_smap_off: db "SMAP off: ring 0 reads and writes user data", 0
msg_smap_on:  db "SMAP on, AC=0: read -> #PF(P), write -> #PF(P|W)", 0
msg_stac:     db "STAC lets ring 0 reach user data, CLAC blocks it again", 0
msg_implicit: db "SMAP blocks implicit supervisor accesses even with AC=1", 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code, ring 0
    dq 0x00CF93000000FFFF       ; 0x10 data, ring 0
    dq 0x000082022000000F       ; 0x18 LDT at U_GDT, 2 entries
gdt_end:

RESET_VECTOR start16

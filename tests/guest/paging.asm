; Paging through the shadow TLB, checked per Intel SDM Vol. 3A chapter 4:
;   32-bit paging: #PF for a not-present page with CR2 and error code 0;
;   CR0.WP: supervisor writes to a read-only page succeed with WP=0 and give
;   #PF(P|W) with WP=1; accessed and dirty bits written back; INVLPG makes a
;   changed PTE visible; a global page survives a CR3 load but not INVLPG,
;   a non-global one does not survive the CR3 load; a 4 MiB PSE page;
;   ring 3: #PF(P|U) reading a supervisor page, #PF(P|W|U) writing a
;   read-only user page;
;   PAE paging with EFER.NXE: fetch from an NX page is #PF(P|I/D), data
;   reads from it work, and a PDPTE with a reserved bit makes MOV CR3 #GP.
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
PD        equ 0x10000            ; 32-bit paging: page directory
PT        equ 0x11000            ;                page table for 0..4 MiB
PDPT      equ 0x12000            ; PAE: PDPT (32-byte aligned)
PAE_PD    equ 0x13000
PAE_PT    equ 0x14000
RING0_SP  equ 0x9000
RING3_SP  equ 0xA000

failures  equ VARS + 0
got_vec   equ VARS + 4
got_err   equ VARS + 8
got_cr2   equ VARS + 12
resume    equ VARS + 16
r3_res    equ VARS + 0x20        ; ring-3 results: vec, err, cr2 x2

SEL_CODE0 equ 0x08
SEL_DATA0 equ 0x10
SEL_TSS   equ 0x18
SEL_CODE3 equ 0x20
SEL_DATA3 equ 0x28

P_NP      equ 0x20000            ; not present
P_RO      equ 0x21000            ; read-only, supervisor
P_AD      equ 0x22000            ; accessed/dirty checks
P_REMAP   equ 0x23000            ; remapped to P_ALT
P_ALT     equ 0x24000
P_GLOBAL  equ 0x25000            ; global page, remapped to P_ALT
P_LOCAL   equ 0x26000            ; non-global page, remapped to P_ALT
P_SUPER   equ 0x27000            ; supervisor-only
P_URO     equ 0x28000            ; user, read-only
P_NX      equ 0x29000            ; (PAE) not executable

%define PTE_OF(x) (PT + ((x) >> 12) * 4)   ; the PTE of page x in PT

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov dword [failures], 0
    call build_idt
    lidt [idt_ptr]
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

    ; distinct contents for the pages that get remapped
    mov dword [P_REMAP], 0x11111111
    mov dword [P_ALT], 0x22222222
    mov dword [P_GLOBAL], 0x33333333
    mov dword [P_LOCAL], 0x44444444

    ; --- 32-bit page tables: identity map 0..4 MiB, user-accessible, RW ---
    mov edi, PT
    mov eax, 0x007               ; P | RW | U
    mov ecx, 1024
.fill:
    stosd
    add eax, 0x1000
    loop .fill
    mov dword [PTE_OF(P_NP)], 0  ; not present
    and dword [PTE_OF(P_RO)], ~2 ; read-only
    and dword [PTE_OF(P_RO)], ~4 ; supervisor
    and dword [PTE_OF(P_SUPER)], ~4
    and dword [PTE_OF(P_URO)], ~2
    or dword [PTE_OF(P_GLOBAL)], 0x100   ; G
    mov edi, PD
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov dword [PD], PT | 7
    ; PDE 1: a 4 MiB page at virtual 4 MiB -> physical 8 MiB
    mov dword [PD + 4], 0x800000 | 0x87  ; P | RW | U | PS
    ; PDE 2: a 4 MiB identity page at 8 MiB (to look at the physical side)
    mov dword [PD + 8], 0x800000 | 0x83

    mov eax, cr4
    or eax, 0x90                 ; PSE | PGE
    mov cr4, eax
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000           ; PG, WP still 0
    mov cr0, eax

    ; --- not present ---
    mov dword [resume], .t1
    mov dword [got_vec], -1
    mov eax, [P_NP + 0x123]
.t1: mov esi, msg_np
    cmp dword [got_vec], 14
    jne .f1
    cmp dword [got_err], 0
    jne .f1
    cmp dword [got_cr2], P_NP + 0x123
.f1: call ok_if_equal

    ; --- WP ---
    mov esi, msg_wp0
    mov dword [got_vec], -1
    mov dword [resume], .t2
    mov dword [P_RO], 0x5A5A5A5A  ; WP=0: supervisor write allowed
.t2: cmp dword [got_vec], -1
    jne .f2
    cmp dword [P_RO], 0x5A5A5A5A
.f2: call ok_if_equal
    mov eax, cr0
    or eax, 0x10000              ; WP
    mov cr0, eax
    mov dword [resume], .t3
    mov dword [got_vec], -1
    mov dword [P_RO + 4], 1
.t3: mov esi, msg_wp1
    cmp dword [got_vec], 14
    jne .f3
    cmp dword [got_err], 3       ; P | W
    jne .f3
    cmp dword [got_cr2], P_RO + 4
.f3: call ok_if_equal

    ; --- accessed / dirty ---
    and dword [PTE_OF(P_AD)], ~0x60
    invlpg [P_AD]
    mov eax, [P_AD]
    mov esi, msg_ad
    mov eax, [PTE_OF(P_AD)]
    and eax, 0x60
    cmp eax, 0x20                ; A set, D clear after a read
    jne .f4
    mov dword [P_AD], 7
    mov eax, [PTE_OF(P_AD)]
    and eax, 0x60
    cmp eax, 0x60                ; D set after a write
.f4: call ok_if_equal

    ; --- INVLPG makes a changed PTE visible ---
    mov eax, [P_REMAP]           ; fill the TLB
    mov dword [PTE_OF(P_REMAP)], P_ALT | 7
    invlpg [P_REMAP]
    mov esi, msg_invlpg
    cmp dword [P_REMAP], 0x22222222
    call ok_if_equal

    ; --- global survives MOV CR3, non-global does not; INVLPG drops global ---
    mov eax, [P_GLOBAL]
    mov eax, [P_LOCAL]
    mov dword [PTE_OF(P_GLOBAL)], P_ALT | 0x107
    mov dword [PTE_OF(P_LOCAL)], P_ALT | 7
    mov eax, cr3
    mov cr3, eax
    mov esi, msg_global
    cmp dword [P_GLOBAL], 0x33333333   ; still the old (global) translation
    jne .f5
    cmp dword [P_LOCAL], 0x22222222    ; the new one
    jne .f5
    invlpg [P_GLOBAL]
    cmp dword [P_GLOBAL], 0x22222222
.f5: call ok_if_equal

    ; --- 4 MiB page ---
    mov dword [0x400000 + 0x1234], 0xC0FFEE
    mov esi, msg_pse
    cmp dword [0x800000 + 0x1234], 0xC0FFEE
    call ok_if_equal

    ; --- ring 3 ---
    push dword SEL_DATA3 | 3
    push dword RING3_SP
    pushfd
    push dword SEL_CODE3 | 3
    push dword ring3
    iretd

ring3:
    mov ax, SEL_DATA3 | 3
    mov ds, ax
    mov es, ax
    mov dword [resume], .r1
    mov dword [got_vec], -1
    mov eax, [P_SUPER]           ; #PF(P | U)
.r1: mov eax, [got_err]
    mov [r3_res], eax
    mov eax, [got_cr2]
    mov [r3_res + 4], eax
    mov dword [resume], .r2
    mov dword [got_vec], -1
    mov dword [P_URO], 1         ; #PF(P | W | U)
.r2: mov eax, [got_err]
    mov [r3_res + 8], eax
    mov eax, [got_cr2]
    mov [r3_res + 12], eax
    int 0x30                     ; back to ring 0

back0:
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov esi, msg_user
    cmp dword [r3_res], 5
    jne .f6
    cmp dword [r3_res + 4], P_SUPER
    jne .f6
    cmp dword [r3_res + 8], 7
    jne .f6
    cmp dword [r3_res + 12], P_URO
.f6: call ok_if_equal

    ; --- PAE with NX ---
    mov eax, cr0
    and eax, ~0x80000000
    mov cr0, eax
    mov edi, PDPT
    xor eax, eax
    mov ecx, (PAE_PT + 0x1000 - PDPT) / 4
    rep stosd
    mov dword [PDPT], PAE_PD | 1
    mov dword [PAE_PD], PAE_PT | 7
    mov edi, PAE_PT
    mov eax, 0x007
    mov ecx, 512
.fill2:
    mov [edi], eax
    add edi, 8
    add eax, 0x1000
    loop .fill2
    mov dword [PAE_PT + (P_NX >> 12) * 8 + 4], 0x80000000   ; XD
    mov byte [P_NX], 0xC3        ; ret
    mov ecx, 0xC0000080          ; EFER.NXE
    rdmsr
    or eax, 0x800
    wrmsr
    mov eax, cr4
    or eax, 0x20                 ; PAE
    mov cr4, eax
    mov eax, PDPT
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov esi, msg_nx
    cmp byte [P_NX], 0xC3        ; data read from the NX page works
    jne .f7
    mov dword [resume], .t7
    mov dword [got_vec], -1
    call P_NX                    ; fetch: #PF(P | I/D)
.t7: cmp dword [got_vec], 14
    jne .f7
    cmp dword [got_err], 0x11
    jne .f7
    cmp dword [got_cr2], P_NX
.f7: call ok_if_equal
    ; PDPTE with a reserved bit (bit 1): MOV CR3 is #GP(0), CR3 unchanged
    mov dword [PDPT + 8], PAE_PD | 3
    mov dword [resume], .t8
    mov dword [got_vec], -1
    mov eax, PDPT
    mov cr3, eax
.t8: mov esi, msg_pdpte
    cmp dword [got_vec], 13
    jne .f8
    mov eax, cr3
    cmp eax, PDPT
.f8: call ok_if_equal

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; ---------------------------------------------------------------- handlers
pf_handler:
    push eax
    push ds
    mov ax, SEL_DATA0
    mov ds, ax
    mov dword [got_vec], 14
    mov eax, [esp + 8]
    mov [got_err], eax
    mov eax, cr2
    mov [got_cr2], eax
    mov eax, [resume]
    mov [esp + 12], eax
    pop ds
    pop eax
    add esp, 4
    iretd

gp_handler:
    push eax
    push ds
    mov ax, SEL_DATA0
    mov ds, ax
    mov dword [got_vec], 13
    mov eax, [esp + 8]
    mov [got_err], eax
    mov eax, [resume]
    mov [esp + 12], eax
    pop ds
    pop eax
    add esp, 4
    iretd

int30:                           ; from ring 3: continue in ring 0 at back0
    mov dword [esp], back0
    mov dword [esp + 4], SEL_CODE0   ; same-level IRET: the ESP/SS slots stay behind
    iretd

; ---------------------------------------------------------------- helpers
PM_HARNESS_ROUTINES

build_idt:
    CLEAR_IDT
    mov eax, pf_handler
    mov bl, 14
    mov dx, 0x8E00
    call set_gate
    mov eax, gp_handler
    mov bl, 13
    call set_gate
    mov eax, int30
    mov bl, 0x30
    mov dx, 0xEE00
    call set_gate
    ret

idt_ptr: dw 256*8 - 1
         dd IDT_BASE

msg_banner: db "paging and shadow TLB test", 10, 0
msg_np:     db "not-present page -> #PF(0) with CR2", 0
msg_wp0:    db "CR0.WP=0: supervisor write to a read-only page succeeds", 0
msg_wp1:    db "CR0.WP=1: supervisor write to a read-only page -> #PF(P|W)", 0
msg_ad:     db "accessed bit on read, dirty bit on write", 0
msg_invlpg: db "INVLPG makes a changed PTE visible", 0
msg_global: db "global page survives MOV CR3, non-global does not, INVLPG drops both", 0
msg_pse:    db "4 MiB page (CR4.PSE)", 0
msg_user:   db "ring 3: supervisor page -> #PF(P|U), read-only user page write -> #PF(P|W|U)", 0
msg_nx:     db "PAE + NXE: data read from an NX page works, a fetch -> #PF(P|I/D)", 0
msg_pdpte:  db "PAE: PDPTE with a reserved bit -> MOV CR3 #GP(0)", 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code, ring 0
    dq 0x00CF93000000FFFF       ; 0x10 data, ring 0
    dq 0x0000890000000067 | (TSS_BASE << 16)  ; 0x18 TSS
    dq 0x00CFFB000000FFFF       ; 0x20 code, ring 3
    dq 0x00CFF3000000FFFF       ; 0x28 data, ring 3
gdt_end:

RESET_VECTOR start16

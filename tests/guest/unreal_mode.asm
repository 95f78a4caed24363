; Real-mode segment limits and "unreal" (big real) mode (SDM Vol. 3A 20.1;
; the descriptor cache keeps its limit when CR0.PE returns to 0):
;   - a 32-bit offset past 0xFFFF through DS is #GP(0), through SS #SS(0);
;   - a word access at offset 0xFFFF is #GP(0) (it crosses the limit);
;   - after loading DS with a 4 GiB data descriptor in protected mode and
;     returning to real mode, DS:[32-bit offset] reaches memory above 1 MiB,
;     and loading DS again in real mode changes its base but keeps the limit.
; Ends with isa-debug-exit: status (failures << 1) | 1.
bits 16
cpu 686
org 0xF0000
%include "rm_harness.inc"

DEBUGCON  equ 0xE9
DEBUGEXIT equ 0xF4
failures  equ 0x500
got_vec   equ 0x504
skip      equ 0x508

start16:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld
    mov dword [failures], 0
    ; IVT entries for #GP (13) and #SS (12)
    mov word [13*4], gp_handler - $$
    mov word [13*4+2], 0xF000
    mov word [12*4], ss_handler - $$
    mov word [12*4+2], 0xF000
    mov si, msg_banner - $$
    call puts

    mov byte [got_vec], 0xFF
    mov byte [skip], 7
    mov eax, [dword 0x10000]     ; 67 66 A1 imm32; DS limit 0xFFFF: #GP(0)
    mov si, msg_gp32 - $$
    cmp byte [got_vec], 13
    call ok_if_equal

    mov byte [got_vec], 0xFF
    mov byte [skip], 3
    mov ax, [0xFFFF]             ; A1 imm16; the word crosses the limit: #GP(0)
    mov si, msg_gpword - $$
    cmp byte [got_vec], 13
    call ok_if_equal

    mov byte [got_vec], 0xFF
    mov byte [skip], 8
    mov eax, [ss:dword 0x10000]  ; 36 67 66 A1 imm32; through SS: #SS(0)
    mov si, msg_ss32 - $$
    cmp byte [got_vec], 12
    call ok_if_equal

    ; --- unreal mode ---
    o32 lgdt [cs:gdt_ptr - $$]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    mov bx, 0x08                 ; 4 GiB data segment
    mov ds, bx
    and al, 0xFE
    mov cr0, eax                 ; back to real mode: the cache keeps 4 GiB
    xor ax, ax
    mov ds, ax                   ; base 0 again, limit still 4 GiB
    mov dword [dword 0x200000], 0x12345678
    mov si, msg_unreal - $$
    mov eax, [dword 0x200000]
    cmp eax, 0x12345678
    call ok_if_equal
    mov ax, 0x1000
    mov ds, ax                   ; base 0x10000, limit still 4 GiB
    mov si, msg_reload - $$
    cmp dword [dword 0x1F0000], 0x12345678
    call ok_if_equal
    xor ax, ax
    mov ds, ax

    mov al, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; #GP and #SS: record the vector and resume after the faulting instruction,
; whose length the test stored in [skip] beforehand.
gp_handler:
    push ax
    mov al, 13
    jmp fault_common
ss_handler:
    push ax
    mov al, 12
fault_common:
    push bp
    push ds
    push bx
    xor bx, bx
    mov ds, bx
    mov [got_vec], al
    mov bp, sp
    mov bl, [skip]
    add [bp + 8], bx             ; the pushed IP, above bx, ds, bp, ax
    pop bx
    pop ds
    pop bp
    pop ax
    iret

RM_HARNESS_ROUTINES

msg_banner: db "real-mode limits and unreal mode test", 10, 0
msg_gp32:   db "32-bit offset past the DS limit -> #GP(0)", 0
msg_gpword: db "word access at offset FFFFh -> #GP(0)", 0
msg_ss32:   db "32-bit offset past the SS limit -> #SS(0)", 0
msg_unreal: db "unreal mode: DS reaches 2 MiB after PE is cleared", 0
msg_reload: db "a real-mode DS load changes the base, keeps the big limit", 0

gdt_ptr: dw gdt_end - gdt - 1
         dd gdt
align 8
gdt:
    dq 0
    dq 0x008F92000000FFFF       ; 0x08 data, base 0, limit 4 GiB (G), 16-bit
gdt_end:

RESET_VECTOR start16

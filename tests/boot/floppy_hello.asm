; A multiboot v1 kernel for the floppy boot test: syslinux's mboot.c32
; loads it from the floppy (through SeaBIOS's INT 13h, i.e. our 82077AA and
; 8237), and it reports on COM1 that it runs, with the loader's magic and
; name, then ends the VM through isa-debug-exit (status (0 << 1) | 1 = 1).
; Its payload of 64 KiB of pattern makes the loader read that many more
; sectors; the program checks the pattern, so a sector read wrongly fails.
bits 32
IMAGE_BASE equ 0x100000
org IMAGE_BASE

COM1      equ 0x3F8
DEBUGEXIT equ 0xF4
MB_MAGIC  equ 0x1BADB002
MB_FLAGS  equ 0x00010000            ; bit 16: the address fields below
PAYLOAD_WORDS equ 16384             ; 64 KiB

mb_header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd mb_header, IMAGE_BASE, image_end, image_end, entry

entry:
    cli
    cld
    mov esp, 0x90000
    mov ebp, ebx                    ; multiboot info
    mov esi, msg_running
    call puts
    cmp eax, 0x2BADB002             ; the loader's magic (spec 3.2)
    jne .bad_magic
    mov esi, msg_magic
    call puts
    test dword [ebp], 1 << 9        ; boot_loader_name present?
    jz .no_name
    mov esi, msg_loader
    call puts
    mov esi, [ebp + 64]
    call puts
    mov esi, msg_nl
    call puts
.no_name:
    ; The payload: word i holds i * 2654435761 (a pattern no zero or
    ; repeated sector matches).
    xor ecx, ecx
.check:
    mov eax, ecx
    imul eax, eax, 2654435761
    cmp [payload + ecx * 4], eax
    jne .bad_payload
    inc ecx
    cmp ecx, PAYLOAD_WORDS
    jne .check
    mov esi, msg_ok
    call puts
    xor eax, eax
    jmp done
.bad_magic:
    mov esi, msg_bad_magic
    call puts
    mov eax, 1
    jmp done
.bad_payload:
    mov esi, msg_bad_payload
    call puts
    mov eax, 2
done:
    mov dx, DEBUGEXIT
    out dx, al
    hlt
    jmp done

; Writes the zero-terminated string at ESI to COM1, polling THRE.
puts:
    push eax
    push edx
.next:
    lodsb
    test al, al
    jz .end
    mov ah, al
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov al, ah
    mov dx, COM1
    out dx, al
    jmp .next
.end:
    pop edx
    pop eax
    ret

msg_running:     db 13, 10, "floppy_hello: multiboot kernel running", 13, 10, 0
msg_magic:       db "floppy_hello: loader magic 2BADB002", 13, 10, 0
msg_loader:      db "floppy_hello: loaded by ", 0
msg_nl:          db 13, 10, 0
msg_ok:          db "SOFTVISOR-FLOPPY-MULTIBOOT-OK", 13, 10, 0
msg_bad_magic:   db "FAIL: wrong multiboot magic", 13, 10, 0
msg_bad_payload: db "FAIL: the payload read from the floppy is wrong", 13, 10, 0

align 4
payload:
%assign i 0
%rep PAYLOAD_WORDS
    dd (i * 2654435761) & 0xFFFFFFFF
%assign i i + 1
%endrep
image_end:

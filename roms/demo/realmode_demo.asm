; softvisor's default -bios demo: a 64 KiB ROM that runs from the reset
; vector in real mode, prints the primes below 100 (a sieve: string stores,
; byte loads, MUL), proves that a divide error is delivered through the IVT
; with the faulting IP, and ends the VM through isa-debug-exit.
;   nasm -f bin -o realmode_demo.rom realmode_demo.asm
bits 16
cpu 486

DEBUGCON  equ 0xE9
DEBUGEXIT equ 0xF4
SIEVE     equ 0x1000        ; scratch RAM at 0000:1000
LIMIT     equ 100

section .text start=0
start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld

    mov si, banner
    call puts_cs

    ; --- sieve of Eratosthenes over [0, LIMIT) ---
    mov di, SIEVE
    mov cx, LIMIT
    mov al, 1
    rep stosb                   ; everything "prime" to start
    mov byte [SIEVE], 0
    mov byte [SIEVE+1], 0
    mov bx, 2
.outer:
    mov ax, bx
    mul bx                      ; DX:AX = bx*bx
    cmp ax, LIMIT
    jae .print
    cmp byte [SIEVE+bx], 0
    je .next
    mov di, ax
.strike:
    mov byte [SIEVE+di], 0
    add di, bx
    cmp di, LIMIT
    jb .strike
.next:
    inc bx
    jmp .outer
.print:
    mov bx, 2
.each:
    cmp byte [SIEVE+bx], 0
    je .skip
    mov ax, bx
    call print_dec
    mov al, ' '
    out DEBUGCON, al
.skip:
    inc bx
    cmp bx, LIMIT
    jb .each
    mov al, 10
    out DEBUGCON, al

    ; --- #DE through the IVT: the handler sees the faulting instruction ---
    mov word [0*4], de_handler
    mov word [0*4+2], cs
    xor cx, cx
    mov ax, 1234
faulting_div:
    div cl                      ; divide by zero -> vector 0
after_div:
    mov si, de_fail
    cmp bp, faulting_div        ; handler stored the pushed IP in BP
    jne .report
    mov si, de_ok
.report:
    call puts_cs

    ; --- INT n with a handler of our own ---
    mov word [0x80*4], int80_handler
    mov word [0x80*4+2], cs
    mov ax, 0x1234
    int 0x80
    mov si, int_fail
    cmp ax, 0x4321
    jne .int_report
    mov si, int_ok
.int_report:
    call puts_cs

    mov al, 0                   ; exit status (0 << 1) | 1 = 1
    out DEBUGEXIT, al
    cli
    hlt

de_handler:
    push bp
    mov bp, sp
    mov bp, [bp+2]              ; the IP pushed by the CPU
    mov si, sp
    mov word [ss:si+2], after_div  ; resume after the DIV instead of retrying it
    add sp, 2
    iret

int80_handler:
    xchg al, ah
    mov ah, 0x43
    mov al, 0x21
    iret

; Prints the zero-terminated string at CS:SI.
puts_cs:
    push ax
.loop:
    cs lodsb
    test al, al
    jz .done
    out DEBUGCON, al
    jmp .loop
.done:
    pop ax
    ret

; Prints AX in decimal.
print_dec:
    push ax
    push bx
    push cx
    push dx
    mov bx, 10
    xor cx, cx
.div:
    xor dx, dx
    div bx
    push dx
    inc cx
    test ax, ax
    jnz .div
.out:
    pop ax
    add al, '0'
    out DEBUGCON, al
    loop .out
    pop dx
    pop cx
    pop bx
    pop ax
    ret

banner:   db "softvisor real-mode demo: primes below 100:", 10, 0
de_ok:    db "divide error delivered through the IVT with the faulting IP", 10, 0
de_fail:  db "divide error: WRONG", 10, 0
int_ok:   db "INT 80h handler ran and returned", 10, 0
int_fail: db "INT 80h: WRONG", 10, 0

    times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:                   ; F000:FFF0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0xFF

; Benchmark guest: a 64 KiB ROM that runs a sieve of Eratosthenes over 8192
; bytes of RAM ITER times (string stores, byte loads and stores, MUL, short
; loops: the interpreter's everyday mix), prints the prime count of the last
; round in hex and ends the VM through isa-debug-exit (status 1).
;   nasm -f bin -o sieve_loop.rom sieve_loop.asm
bits 16
cpu 486

DEBUGCON  equ 0xE9
DEBUGEXIT equ 0xF4
SIEVE     equ 0x1000
N         equ 8192
ITER      equ 200

section .text start=0
start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld
    mov bp, ITER
.round:
    mov di, SIEVE
    mov cx, N
    mov al, 1
    rep stosb
    mov byte [SIEVE], 0
    mov byte [SIEVE+1], 0
    mov bx, 2
.outer:
    mov ax, bx
    mul bx
    cmp ax, N
    jae .count
    cmp byte [SIEVE+bx], 0
    je .next
    mov di, ax
.strike:
    mov byte [SIEVE+di], 0
    add di, bx
    cmp di, N
    jb .strike
.next:
    inc bx
    jmp .outer
.count:
    xor dx, dx
    xor ah, ah
    mov si, SIEVE
    mov cx, N
.sum:
    lodsb
    add dx, ax
    loop .sum
    dec bp
    jnz .round

    mov cx, 4                   ; print DX (1028 = 0x0404 primes below 8192)
.hex:
    rol dx, 4
    mov al, dl
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .digit
    add al, 'A' - '9' - 1
.digit:
    out DEBUGCON, al
    loop .hex
    mov al, 10
    out DEBUGCON, al
    xor ax, ax
    out DEBUGEXIT, al
    hlt

    times 0xFFF0 - ($ - $$) db 0xFF
reset_vector:                   ; F000:FFF0
    jmp 0xF000:start
    times 0x10000 - ($ - $$) db 0xFF

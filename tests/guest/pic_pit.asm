; The 8259A pair and the 8254 PIT from a real-mode guest (run with -icount,
; so every tick lands on the same instruction each run):
;   - remap the PICs (ICW1-4) to 20h/28h, IMR read-back;
;   - PIT counter 0 in mode 2 at 1 kHz, IRQ0 taken through the real-mode
;     IVT while the CPU sits in HLT; ISR bit 0 set in the handler, cleared
;     by the non-specific EOI;
;   - IRQ0 masked in the IMR: no interrupt, the request waits in IRR and is
;     delivered when unmasked;
;   - an IRQ0 request that vanishes before the CPU takes it (the edge input
;     falls while IF=0) is not delivered; the IRQ7 handler, which is where a
;     spurious interrupt would land, counts zero entries;
;   - counter 2 in mode 0 gated through port 61h: OUT2 (bit 5) low while
;     counting, high at terminal count; read-back status; counter latch.
; Ends with isa-debug-exit: status (failures << 1) | 1.
bits 16
cpu 686
org 0xF0000
%include "rm_harness.inc"

DEBUGCON  equ 0xE9
DEBUGEXIT equ 0xF4
failures  equ 0x500
ticks     equ 0x504
isr_in    equ 0x508    ; ISR as the first IRQ0 handler saw it before its EOI
isr_after equ 0x509    ; ISR after the EOI
irq7s     equ 0x50C    ; entries into the IRQ7 (spurious) handler
PIT_HZ    equ 1193182
COUNT_1MS equ 1193

start16:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7C00
    cld
    mov dword [failures], 0
    mov dword [ticks], 0
    mov dword [irq7s], 0
    mov word [0x20*4], irq0_handler - $$
    mov word [0x20*4+2], 0xF000
    mov word [0x27*4], irq7_handler - $$
    mov word [0x27*4+2], 0xF000
    mov si, msg_banner - $$
    call puts

    ; --- ICW1-4: master at 20h, slave at 28h on IR2, 8086 mode ---
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
    mov al, 0xFE          ; only IRQ0
    out 0x21, al
    mov al, 0xFF
    out 0xA1, al
    in al, 0x21
    mov si, msg_imr - $$
    cmp al, 0xFE
    call ok_if_equal

    ; --- counter 0, mode 2, 1 ms; ten ticks through HLT ---
    mov al, 0x34
    out 0x43, al
    mov al, COUNT_1MS & 0xFF
    out 0x40, al
    mov al, COUNT_1MS >> 8
    out 0x40, al
    sti
.wait_ticks:
    hlt
    cmp dword [ticks], 10
    jb .wait_ticks
    cli
    mov si, msg_ticks - $$
    cmp dword [ticks], 10
    call ok_if_equal
    mov si, msg_isr_in - $$
    cmp byte [isr_in], 0x01
    call ok_if_equal
    mov si, msg_isr_after - $$
    cmp byte [isr_after], 0x00
    call ok_if_equal

    ; --- IRQ0 masked: nothing arrives, IRR holds the request ---
    mov al, 0xFF
    out 0x21, al
    mov dword [ticks], 0
    sti
    mov cx, 0xFFFF        ; many milliseconds of -icount time
.spin:
    loop .spin
    cli
    mov si, msg_masked - $$
    cmp dword [ticks], 0
    call ok_if_equal
    mov al, 0x0A          ; OCW3: read IRR
    out 0x20, al
    in al, 0x20
    and al, 0x01
    mov si, msg_irr - $$
    cmp al, 0x01
    call ok_if_equal
    mov al, 0xFE
    out 0x21, al          ; unmask: the pending request is delivered
    sti
    nop
    cli
    mov si, msg_unmask - $$
    cmp dword [ticks], 1
    call ok_if_equal

    ; --- a request that vanishes before INTA is not delivered ---
    ; Counter 0 in mode 0 with a short count: OUT0 rises at terminal count
    ; and latches IRR0 while IF=0; a new mode 0 control word drops OUT0,
    ; and the edge-triggered request goes with it.
    mov dword [ticks], 0
    mov al, 0x30
    out 0x43, al
    mov al, 20
    out 0x40, al
    mov al, 0
    out 0x40, al
    mov cx, 0xFFFF        ; (host time: IRQ lines move at slice ends)
.wait_tc:
    mov al, 0x0A
    out 0x20, al
    in al, 0x20
    test al, 0x01
    jnz .latched
    loop .wait_tc
.latched:
    mov si, msg_latched - $$
    test al, 0x01
    call ok_if_nonzero
    mov al, 0x30          ; mode 0 control word: OUT0 low at once
    out 0x43, al
    mov al, 0x0A
    out 0x20, al
    in al, 0x20
    mov si, msg_vanished - $$
    test al, 0x01
    call ok_if_zero
    sti
    nop
    nop
    cli
    mov si, msg_not_taken - $$
    mov eax, [ticks]
    or eax, [irq7s]
    call ok_if_zero_eax

    ; --- counter 2 in mode 0, gated by port 61h bit 0, OUT2 on bit 5 ---
    in al, 0x61
    and al, 0xFC          ; gate low, speaker data off
    out 0x61, al
    mov al, 0xB0          ; counter 2, LSB then MSB, mode 0, binary
    out 0x43, al
    mov al, 100
    out 0x42, al
    mov al, 0
    out 0x42, al
    in al, 0x61
    mov si, msg_out2_low - $$
    test al, 0x20
    call ok_if_zero
    in al, 0x61
    or al, 0x01           ; gate high: counting
    out 0x61, al
    mov cx, 0xFFFF
.wait_out2:
    in al, 0x61
    test al, 0x20
    jnz .out2_high
    loop .wait_out2
.out2_high:
    mov si, msg_out2_high - $$
    test al, 0x20
    call ok_if_nonzero
    ; read-back: status of counter 2 only (bit 5 set: no count latch)
    mov al, 0xE8
    out 0x43, al
    in al, 0x42
    mov si, msg_status - $$
    cmp al, 0xB0          ; OUT high, count loaded, LSB/MSB, mode 0, binary
    call ok_if_equal
    ; read-back of status and count: the status byte comes first
    mov al, 0xC8
    out 0x43, al
    in al, 0x42
    mov bl, al
    in al, 0x42
    in al, 0x42
    mov si, msg_status_first - $$
    cmp bl, 0xB0
    call ok_if_equal

    ; --- counter latch of a running mode 2 counter 0 ---
    mov al, 0x34
    out 0x43, al
    mov al, COUNT_1MS & 0xFF
    out 0x40, al
    mov al, COUNT_1MS >> 8
    out 0x40, al
    mov cx, 50
.settle:
    loop .settle
    mov al, 0x00          ; latch counter 0
    out 0x43, al
    mov cx, 500           ; the latched value does not move
.later:
    loop .later
    in al, 0x40
    mov ah, al
    in al, 0x40
    xchg al, ah
    mov si, msg_latch - $$
    cmp ax, 1
    jb .latch_bad
    cmp ax, COUNT_1MS
    ja .latch_bad
    call ok
    jmp .print_latch
.latch_bad:
    call fail
.print_latch:
    ; The exact value pins the timing: interpreter and JIT must agree on it
    ; to the instruction under -icount.
    mov si, msg_latch_value - $$
    call puts
    call print_hex16
    mov si, harness_rm_msg_nl - $$
    call puts
    mov al, [failures]
    out DEBUGEXIT, al
    cli
    hlt

irq0_handler:
    push ax
    push ds
    xor ax, ax
    mov ds, ax
    inc dword [ticks]
    cmp dword [ticks], 1
    jne .eoi
    mov al, 0x0B          ; OCW3: read ISR
    out 0x20, al
    in al, 0x20
    mov [isr_in], al
.eoi:
    mov al, 0x20          ; non-specific EOI
    out 0x20, al
    mov al, 0x0B
    out 0x20, al
    in al, 0x20
    mov [isr_after], al
    pop ds
    pop ax
    iret

; A spurious IRQ7 sets no ISR bit, so its handler sends no EOI.
irq7_handler:
    push ds
    push ax
    xor ax, ax
    mov ds, ax
    inc dword [irq7s]
    pop ax
    pop ds
    iret

; AX as four hex digits on the debug console.
print_hex16:
    push cx
    mov cx, 4
.digit:
    rol ax, 4
    push ax
    and al, 0x0F
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'A' - '9' - 1
.out:
    out DEBUGCON, al
    pop ax
    loop .digit
    pop cx
    ret

RM_HARNESS_ROUTINES

msg_banner:       db "8259A PIC and 8254 PIT test", 10, 0
msg_imr:          db "ICW1-4 remap, IMR reads back", 0
msg_ticks:        db "ten IRQ0 ticks of PIT mode 2 taken through the IVT from HLT", 0
msg_isr_in:       db "ISR bit 0 set in the IRQ0 handler", 0
msg_isr_after:    db "non-specific EOI clears ISR", 0
msg_masked:       db "IRQ0 masked in the IMR is not delivered", 0
msg_irr:          db "the masked request waits in IRR", 0
msg_unmask:       db "unmasking delivers the pending IRQ0 once", 0
msg_latched:      db "mode 0 terminal count latches IRR0", 0
msg_vanished:     db "the request vanishes with OUT0", 0
msg_not_taken:    db "a vanished request is not delivered (no IRQ0, no IRQ7)", 0
msg_out2_low:     db "OUT2 low after a mode 0 count (port 61h bit 5)", 0
msg_out2_high:    db "OUT2 high at terminal count once gated on", 0
msg_status:       db "read-back status of counter 2 is B0h", 0
msg_status_first: db "read-back of status and count returns the status first", 0
msg_latch:        db "counter latch of counter 0 holds a count in 1..1193", 0
msg_latch_value:  db "latched count under -icount shift=6: ", 0

RESET_VECTOR start16

; The local APIC and the I/O APIC from 32-bit protected mode:
;   - CPUID.1 reports the APIC (EDX bit 9) and initial APIC ID 0; the APIC
;     base MSR reads 0xFEE00900 (enabled, BSP); the version register says
;     integrated APIC with max LVT 5;
;   - self IPIs are taken highest vector first (SDM 11.8.3); a higher
;     priority class nests in a handler while a lower one waits for the EOI;
;   - TPR holds back classes at or below it;
;   - the APIC timer: one-shot at divide 1, periodic at divide 16;
;   - the PIT's IRQ0 through I/O APIC pin 2 (edge), the RTC's IRQ8 through
;     pin 8 programmed level-triggered: remote IRR is set in the handler and
;     cleared by the local APIC's EOI (broadcast for a TMR vector);
;   - an NMI IPI; a second NMI raised in the NMI handler waits for its IRET
;     (SDM 6.7.1);
;   - the HPET (IA-PC HPET 1.0a): capabilities, the 100 MHz main counter
;     against the APIC timer, a one-shot comparator on I/O APIC pin 20,
;     legacy replacement with periodic timer 0 on IRQ0 (pin 2) and a
;     level-triggered timer 1 on IRQ8 (pin 8) whose status bit is cleared
;     by writing 1.
; Runs with -icount so interrupts come at fixed instructions.
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
APIC      equ 0xFEE00000
IOAPIC    equ 0xFEC00000
HPET      equ 0xFED00000

failures  equ VARS + 0
seq       equ VARS + 4           ; events recorded so far
events    equ VARS + 8           ; 16 dwords: vector of each interrupt in order
nmi_count equ VARS + 0x50
nmi_seen  equ VARS + 0x54        ; nmi_count at the end of the first NMI handler
rirr_in   equ VARS + 0x58        ; pin 8's remote IRR inside its handler
rirr_out  equ VARS + 0x5C        ; ... after the EOI
tmr_in    equ VARS + 0x60        ; the local APIC's TMR word holding vector 0x38
hpet_t0   equ VARS + 0x64        ; HPET counter before and after 100 us of APIC timer
hpet_t1   equ VARS + 0x68
hpet_sts  equ VARS + 0x6C        ; HPET status inside timer 1's handler

SEL_CODE0 equ 0x08
SEL_DATA0 equ 0x10

%macro APIC_W 2
    mov dword [APIC + %1], %2
%endmacro

; IOAPIC register %1 = %2
%macro IOAPIC_W 2
    mov dword [IOAPIC], %1
    mov dword [IOAPIC + 0x10], %2
%endmacro

%macro GATE 2
    mov eax, %2
    mov bl, %1
    call set_gate
%endmacro

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov dword [failures], 0
    CLEAR_IDT
    mov dx, 0x8E00
    GATE 2, nmi_handler
    GATE 0x30, stub_30
    GATE 0x38, rtc_handler
    GATE 0x40, stub_40
    GATE 0x41, stub_41
    GATE 0x44, stub_44
    GATE 0x48, hpet_level_handler
    GATE 0x50, stub_50
    GATE 0x51, nest_handler
    GATE 0x58, stub_58
    GATE 0x61, stub_61
    GATE 0x65, stub_65
    GATE 0x72, stub_72
    GATE 0xFF, spurious_handler
    lidt [idt_ptr]
    mov esi, msg_banner
    call puts

    ; ---- identification
    mov eax, 1
    cpuid
    mov esi, msg_cpuid
    bt edx, 9
    jnc .f1
    shr ebx, 24
    cmp ebx, 0
.f1: call ok_if_equal
    mov ecx, 0x1B
    rdmsr
    mov esi, msg_msr
    test edx, edx
    jnz .f2
    cmp eax, 0xFEE00900
.f2: call ok_if_equal
    mov esi, msg_version
    cmp dword [APIC + 0x30], 0x50014
    call ok_if_equal

    APIC_W 0xF0, 0x1FF           ; software enable, spurious vector 0xFF

    ; ---- self IPIs: highest first
    call clear_events
    APIC_W 0x300, 0x40050        ; shorthand self, fixed
    APIC_W 0x300, 0x40061
    APIC_W 0x300, 0x40058
    sti
    nop
    nop
    cli
    mov esi, msg_order
    mov edi, want_order
    call check_events

    ; ---- nesting: 0x51's handler lets 0x72 in, 0x41 waits
    call clear_events
    APIC_W 0x300, 0x40051
    sti
    nop
    cli
    mov esi, msg_nest
    mov edi, want_nest
    call check_events

    ; ---- TPR
    call clear_events
    APIC_W 0x80, 0x70
    APIC_W 0x300, 0x40065
    sti
    nop
    nop
    cli
    mov esi, msg_tpr
    cmp dword [seq], 0
    jne .f3
    APIC_W 0x80, 0x00
    sti
    nop
    cli
    mov edi, want_tpr
    call check_events
    jmp .d3
.f3: call fail
.d3:

    ; ---- APIC timer, one-shot, divide by 1
    call clear_events
    APIC_W 0x3E0, 0xB
    APIC_W 0x320, 0x40
    APIC_W 0x380, 20000
.w4: cli                     ; STI's shadow makes STI; HLT atomic
    cmp dword [seq], 1
    jae .e4
    sti
    hlt
    jmp .w4
.e4:
    mov esi, msg_oneshot
    cmp dword [APIC + 0x390], 0
    jne .f4
    mov edi, want_timer1
    call check_events
    jmp .d4
.f4: call fail
.d4:

    ; ---- APIC timer, periodic, divide by 16
    call clear_events
    APIC_W 0x3E0, 0x3
    APIC_W 0x320, 0x20040
    APIC_W 0x380, 1000
.w5: cli                     ; STI's shadow makes STI; HLT atomic
    cmp dword [seq], 3
    jae .e5
    sti
    hlt
    jmp .w5
.e5:
    APIC_W 0x320, 0x10040        ; mask
    APIC_W 0x380, 0
    mov esi, msg_periodic
    mov edi, want_timer3
    call check_events

    ; ---- I/O APIC: version; PIT IRQ0 on pin 2
    mov esi, msg_ioapic_version
    mov dword [IOAPIC], 1
    cmp dword [IOAPIC + 0x10], 0x00170020
    call ok_if_equal
    call clear_events
    IOAPIC_W 0x15, 0             ; destination APIC 0
    IOAPIC_W 0x14, 0x30          ; fixed, physical, edge, high, unmasked
    mov al, 0x34                 ; counter 0, LSB/MSB, mode 2
    out 0x43, al
    mov al, 1193 & 0xFF
    out 0x40, al
    mov al, 1193 >> 8
    out 0x40, al
.w6: cli                     ; STI's shadow makes STI; HLT atomic
    cmp dword [seq], 3
    jae .e6
    sti
    hlt
    jmp .w6
.e6:
    IOAPIC_W 0x14, 0x10030       ; mask
    mov esi, msg_pit
    mov edi, want_pit
    call check_events

    ; ---- RTC IRQ8 on pin 8, level-triggered: remote IRR until EOI
    call clear_events
    IOAPIC_W 0x21, 0
    IOAPIC_W 0x20, 0x8038        ; level, active high
    mov al, 0x0A
    out 0x70, al
    mov al, 0x26                 ; divider on, 976.5 us periodic rate
    out 0x71, al
    mov al, 0x0B
    out 0x70, al
    in al, 0x71
    or al, 0x40                  ; PIE
    out 0x71, al
.w7: cli                     ; STI's shadow makes STI; HLT atomic
    cmp dword [seq], 1
    jae .e7
    sti
    hlt
    jmp .w7
.e7:
    mov esi, msg_level
    cmp dword [rirr_in], 1 << 14
    jne .f7
    cmp dword [rirr_out], 0
    jne .f7
    cmp dword [tmr_in], 1 << 24  ; vector 0x38 = bit 24 of TMR word 1
    jne .f7
    mov edi, want_rtc
    call check_events
    jmp .d7
.f7: call fail
.d7:

    ; ---- NMI by IPI, and NMI blocking until IRET
    mov dword [nmi_count], 0
    APIC_W 0x310, 0              ; destination APIC 0
    APIC_W 0x300, 0x400          ; NMI
    nop
    nop
    mov esi, msg_nmi
    cmp dword [nmi_count], 2
    jne .f8
    cmp dword [nmi_seen], 1
.f8: call ok_if_equal

    ; ---- HPET identification
    mov esi, msg_hpet_cap
    cmp dword [HPET], 0x8086A201
    jne .f9
    cmp dword [HPET + 4], 10000000
.f9: call ok_if_equal

    ; ---- HPET main counter: 100 ticks per microsecond of APIC timer
    call clear_events
    mov dword [HPET + 0x10], 1   ; ENABLE_CNF
    APIC_W 0x3E0, 0xB
    APIC_W 0x320, 0x40
    mov eax, [HPET + 0xF0]
    mov [hpet_t0], eax
    APIC_W 0x380, 100000         ; 100 us
.w10: cli
    cmp dword [seq], 1
    jae .e10
    sti
    hlt
    jmp .w10
.e10:
    mov eax, [HPET + 0xF0]
    sub eax, [hpet_t0]
    mov [hpet_t1], eax
    mov esi, msg_hpet_rate
    ; 10000 ticks, plus the ~20 instructions (64 ns each under -icount
    ; shift=6) of the interrupt, its handler and the wait loop
    cmp eax, 10000
    jb .f10
    cmp eax, 10200
    ja .f10
    cmp eax, eax
    jmp .d10
.f10: cmp eax, -1
.d10: call ok_if_equal

    ; ---- HPET one-shot comparator, edge, I/O APIC pin 20
    call clear_events
    IOAPIC_W 0x39, 0
    IOAPIC_W 0x38, 0x44          ; pin 20: edge, active high
    mov dword [HPET + 0x144], 0
    mov dword [HPET + 0x140], 4 | (20 << 9)  ; timer 2: INT_ENB, route 20
    mov eax, [HPET + 0xF0]
    add eax, 500                 ; 5 us from now
    mov dword [HPET + 0x14C], 0
    mov [HPET + 0x148], eax
.w11: cli
    cmp dword [seq], 1
    jae .e11
    sti
    hlt
    jmp .w11
.e11:
    mov dword [HPET + 0x140], 0
    mov esi, msg_hpet_oneshot
    mov edi, want_hpet_oneshot
    call check_events

    ; ---- legacy replacement: periodic timer 0 on IRQ0 = pin 2
    call clear_events
    mov dword [HPET + 0x10], 0   ; halt the counter while programming
    IOAPIC_W 0x15, 0
    IOAPIC_W 0x14, 0x30
    ; INT_ENB, periodic, VAL_SET, 32-bit (as Linux programs it: VAL_SET
    ; lasts for one comparator write, so a 64-bit comparator could not be
    ; set in two halves)
    mov dword [HPET + 0x100], 4 | 8 | 0x40 | 0x100
    mov eax, [HPET + 0xF0]
    add eax, 2000                ; first match in 20 us ...
    mov [HPET + 0x108], eax
    mov dword [HPET + 0x108], 2000  ; ... then every 20 us
    mov dword [HPET + 0x10], 3   ; ENABLE_CNF | LEG_RT_CNF
.w12: cli
    cmp dword [seq], 3
    jae .e12
    sti
    hlt
    jmp .w12
.e12:
    mov dword [HPET + 0x100], 0
    IOAPIC_W 0x14, 0x10030
    mov esi, msg_hpet_legacy
    mov edi, want_pit            ; three vector 0x30 interrupts
    call check_events

    ; ---- level-triggered timer 1 on IRQ8 = pin 8; status cleared by writing 1
    call clear_events
    IOAPIC_W 0x21, 0
    IOAPIC_W 0x20, 0x8048        ; level, active high
    mov dword [HPET + 0x120], 2 | 4  ; level, INT_ENB
    mov eax, [HPET + 0xF0]
    add eax, 300
    mov [HPET + 0x128], eax
    mov dword [HPET + 0x12C], 0
.w13: cli
    cmp dword [seq], 1
    jae .e13
    sti
    hlt
    jmp .w13
.e13:
    mov esi, msg_hpet_level
    cmp dword [hpet_sts], 2      ; timer 1's status bit, seen in the handler
    jne .f13
    cmp dword [HPET + 0x20], 0   ; cleared by the handler's write
    jne .f13
    mov dword [IOAPIC], 0x20
    test dword [IOAPIC + 0x10], 1 << 14  ; remote IRR gone with the EOI
.f13: call ok_if_equal
    mov dword [HPET + 0x10], 0

    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

clear_events:
    mov dword [seq], 0
    ret

; ESI = test name, EDI = expected events (count, then vectors)
check_events:
    mov ecx, [edi]
    cmp ecx, [seq]
    jne .bad
    xor ebx, ebx
.l: cmp ebx, ecx
    je .good
    mov eax, [edi + 4 + ebx*4]
    cmp eax, [events + ebx*4]
    jne .bad
    inc ebx
    jmp .l
.good: jmp ok
.bad: jmp fail

%macro STUB 1
stub_%1:
    push dword 0x%1
    jmp record_and_eoi
%endmacro
STUB 30
STUB 40
STUB 41
STUB 44
STUB 50
STUB 58
STUB 61
STUB 65
STUB 72

; [esp] = vector
record_and_eoi:
    push eax
    push ebx
    mov eax, [esp + 8]
    mov ebx, [seq]
    mov [events + ebx*4], eax
    inc dword [seq]
    APIC_W 0xB0, 0
    pop ebx
    pop eax
    add esp, 4
    iretd

; Spurious interrupts take no EOI (SDM 11.9).
spurious_handler:
    push eax
    push ebx
    mov ebx, [seq]
    mov dword [events + ebx*4], 0xFF
    inc dword [seq]
    pop ebx
    pop eax
    iretd

nest_handler:
    push eax
    mov eax, [seq]
    mov dword [events + eax*4], 0x51
    inc dword [seq]
    APIC_W 0x300, 0x40041        ; class 4: below PPR 0x50, waits
    APIC_W 0x300, 0x40072        ; class 7: nests
    sti
    nop
    nop
    cli
    pop eax
    APIC_W 0xB0, 0
    iretd

rtc_handler:
    push eax
    mov dword [IOAPIC], 0x20
    mov eax, [IOAPIC + 0x10]
    and eax, 1 << 14
    mov [rirr_in], eax
    mov eax, [APIC + 0x190]
    mov [tmr_in], eax
    mov al, 0x0B                 ; periodic interrupts off
    out 0x70, al
    in al, 0x71
    and al, ~0x40
    out 0x71, al
    mov al, 0x0C                 ; reading C lowers IRQ8
    out 0x70, al
    in al, 0x71
    mov eax, [seq]
    mov dword [events + eax*4], 0x38
    inc dword [seq]
    APIC_W 0xB0, 0
    mov dword [IOAPIC], 0x20
    mov eax, [IOAPIC + 0x10]
    and eax, 1 << 14
    mov [rirr_out], eax
    pop eax
    iretd

hpet_level_handler:
    push eax
    mov eax, [HPET + 0x20]
    mov [hpet_sts], eax
    mov dword [HPET + 0x20], 2   ; write 1 to clear: the line drops
    mov dword [HPET + 0x120], 0
    mov eax, [seq]
    mov dword [events + eax*4], 0x48
    inc dword [seq]
    APIC_W 0xB0, 0
    pop eax
    iretd

nmi_handler:
    inc dword [nmi_count]
    cmp dword [nmi_count], 1
    jne .out
    APIC_W 0x300, 0x400          ; another NMI: blocked until IRET
    nop
    nop
    push eax
    mov eax, [nmi_count]
    mov [nmi_seen], eax
    pop eax
.out: iretd

PM_HARNESS_ROUTINES

idt_ptr: dw 256*8 - 1
         dd IDT_BASE

want_order:  dd 3, 0x61, 0x58, 0x50
want_nest:   dd 3, 0x51, 0x72, 0x41
want_tpr:    dd 1, 0x65
want_timer1: dd 1, 0x40
want_timer3: dd 3, 0x40, 0x40, 0x40
want_pit:    dd 3, 0x30, 0x30, 0x30
want_rtc:    dd 1, 0x38
want_hpet_oneshot: dd 1, 0x44

msg_banner:         db "local APIC and I/O APIC test", 10, 0
msg_cpuid:          db "CPUID.1 reports the APIC and initial APIC ID 0", 0
msg_msr:            db "IA32_APIC_BASE is 0xFEE00900 (enabled, BSP)", 0
msg_version:        db "APIC version 0x14, max LVT 5", 0
msg_order:          db "self IPIs are taken highest vector first", 0
msg_nest:           db "a higher class nests, a lower one waits for the EOI", 0
msg_tpr:            db "TPR holds back classes at or below it", 0
msg_oneshot:        db "APIC timer one-shot at divide 1", 0
msg_periodic:       db "APIC timer periodic at divide 16", 0
msg_ioapic_version: db "I/O APIC version 0x20 with 24 entries", 0
msg_pit:            db "PIT IRQ0 arrives on I/O APIC pin 2", 0
msg_level:          db "level RTC IRQ8 on pin 8: remote IRR until the EOI", 0
msg_nmi:            db "NMI IPI; a second NMI waits for IRET", 0
msg_hpet_cap:       db "HPET capabilities: 3 timers, legacy capable, 10 ns period", 0
msg_hpet_rate:      db "HPET counter advances 100 ticks per microsecond", 0
msg_hpet_oneshot:   db "HPET one-shot comparator on I/O APIC pin 20", 0
msg_hpet_legacy:    db "HPET legacy replacement: periodic timer 0 on IRQ0", 0
msg_hpet_level:     db "HPET level timer 1 on IRQ8: status until written 1", 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code, ring 0
    dq 0x00CF93000000FFFF       ; 0x10 data, ring 0
gdt_end:

RESET_VECTOR start16

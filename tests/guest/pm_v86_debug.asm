; Virtual-8086 mode, the TSS I/O permission bitmap and TF single-stepping.
;   - TF set by POPFD traps after the following instruction, #DB with DR6.BS,
;     once per instruction, with the EIP of the next instruction;
;   - IRET with VM=1 enters virtual-8086 mode (segments = selector << 4);
;   - INT n in v86 mode with IOPL 3 goes through the IDT to ring 0, with
;     GS/FS/DS/ES/SS/ESP/EFLAGS(VM)/CS/EIP on the ring-0 stack, and IRET
;     returns to v86 mode;
;   - IN/OUT at CPL 3 in v86 mode follow the I/O bitmap: an allowed port works,
;     a denied one (and a word access straddling into it) is #GP(0);
;   - CLI with IOPL 3 is allowed in v86 mode.
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
TSS_LIMIT equ 0x67 + 0x2000 / 8 + 1     ; TSS + bitmap for ports 0..0x1FFF + end byte
VARS      equ 0x8000
V86_CODE  equ 0x6000                     ; v86 code copied here (segment 0x0600)
RING0_SP  equ 0x7000

failures  equ VARS + 0
steps     equ VARS + 4
step_eips equ VARS + 8                   ; up to 8 dwords
dr6_seen  equ VARS + 0x30
got_vec   equ VARS + 0x34
v86_flags equ VARS + 0x38
v86_es    equ VARS + 0x3C
v86_cs    equ VARS + 0x40
in_value  equ VARS + 0x44
gp_count  equ VARS + 0x48
resume    equ VARS + 0x4C

SEL_CODE0 equ 0x08
SEL_DATA0 equ 0x10
SEL_TSS   equ 0x18

start16:
    ENTER_PM32 GDT_BASE, pm32

bits 32
pm32:
    LOAD_FLAT_DATA RING0_SP
    mov esi, v86_start           ; the v86 code runs from RAM below 1 MiB
    mov edi, V86_CODE
    mov ecx, v86_end - v86_start
    rep movsb
    mov edi, VARS
    xor eax, eax
    mov ecx, 64
    rep stosd
    call build_idt
    lidt [idt_ptr]
    ; TSS with an I/O bitmap right after the 104-byte TSS: all ports denied
    ; except 0x80 (and 0xE9 for our own output never happens from v86).
    mov edi, TSS_BASE
    mov ecx, TSS_LIMIT + 1
    xor eax, eax
    rep stosb
    mov edi, TSS_BASE + 104
    mov ecx, 0x2000 / 8
    mov al, 0xFF
    rep stosb
    mov byte [TSS_BASE + 104 + TSS_LIMIT - 104], 0xFF   ; the trailing byte
    and byte [TSS_BASE + 104 + 0x80 / 8], ~1           ; allow port 0x80
    mov word [TSS_BASE + 102], 104
    mov dword [TSS_BASE + 4], RING0_SP
    mov dword [TSS_BASE + 8], SEL_DATA0
    mov ax, SEL_TSS
    ltr ax

    mov esi, msg_banner
    call puts

    ; --- single-step: POPFD sets TF; traps after the next three instructions
    pushfd
    or dword [esp], 0x100
    popfd
.s1: nop
.s2: nop
.s3: nop                         ; the #DB handler clears TF after 3 steps
.s4:
    mov esi, msg_step
    cmp dword [steps], 3
    jne .sf
    cmp dword [step_eips], .s2
    jne .sf
    cmp dword [step_eips + 4], .s3
    jne .sf
    cmp dword [step_eips + 8], .s4
    jne .sf
    test dword [dr6_seen], 0x4000
    jz .sf
    call ok
    jmp .sd
.sf: call fail
.sd:

    ; --- into virtual-8086 mode with IOPL 3 ---
    push dword 0                 ; GS
    push dword 0                 ; FS
    push dword 0x0700            ; DS
    push dword 0x0800            ; ES
    push dword 0x0000            ; SS
    push dword 0x7B00            ; ESP
    push dword 0x00023002        ; EFLAGS: VM, IOPL 3, IF clear
    push dword V86_CODE >> 4     ; CS
    push dword 0                 ; EIP
    iretd

; INT 0x40 from v86: record the frame, go back. Entering ring 0 from v86
; mode loads DS/ES/FS/GS with null, so the handlers load their own DS.
int40:
    push eax
    push ds
    mov ax, SEL_DATA0
    mov ds, ax
    mov eax, [esp + 16]          ; EFLAGS
    mov [v86_flags], eax
    mov eax, [esp + 12]          ; CS
    mov [v86_cs], eax
    mov eax, [esp + 28]          ; ES
    mov [v86_es], eax
    pop ds
    pop eax
    iretd

; #GP: count and skip to [resume] (an offset in the v86 code segment)
gp_handler:
    push eax
    push ds
    mov ax, SEL_DATA0
    mov ds, ax
    inc dword [gp_count]
    mov eax, [resume]
    mov [esp + 12], eax          ; EIP, above the error code
    pop ds
    pop eax
    add esp, 4                   ; error code
    iretd

; INT 0x41 from v86: report and exit
report:
    mov ax, SEL_DATA0
    mov ds, ax
    mov esi, msg_v86_int
    test dword [v86_flags], 0x20000
    jz .f1
    cmp dword [v86_cs], V86_CODE >> 4
    jne .f1
    cmp dword [v86_es], 0x0800
.f1: call ok_if_equal
    mov esi, msg_v86_seg
    cmp word [0x7000 + 0x10], 0xBEEF     ; v86 wrote DS:0010 with DS = 0x0700
    call ok_if_equal
    mov esi, msg_io
    cmp dword [gp_count], 2
    jne .f2
    cmp byte [in_value], 0xFF
.f2: call ok_if_equal
    mov eax, [failures]
    out DEBUGEXIT, al
    cli
    hlt

; #DB: record EIP and DR6; clear TF after the third step
db_handler:
    push eax
    push ebx
    mov ebx, [steps]
    mov eax, [esp + 8]
    mov [step_eips + ebx*4], eax
    inc dword [steps]
    mov eax, dr6
    mov [dr6_seen], eax
    cmp dword [steps], 3
    jb .more
    and dword [esp + 16], ~0x100
.more:
    pop ebx
    pop eax
    iretd

; ---------------------------------------------------------------- v86 code
bits 16
v86_start:
    mov word [0x10], 0xBEEF              ; DS = 0x0700 -> linear 0x7010
    int 0x40
    mov dx, 0x80
    in al, dx                            ; allowed by the bitmap (reads 0xFF: nothing there)
    mov [cs:in_copy - v86_start], al
    mov word [cs:resume_copy - v86_start], .after1 - v86_start
    call .publish
    mov dx, 0x81
    in al, dx                            ; denied: #GP(0)
.after1:
    mov word [cs:resume_copy - v86_start], .after2 - v86_start
    call .publish
    mov dx, 0x7F
    in ax, dx                            ; straddles 0x7F (denied) and 0x80: #GP(0)
.after2:
    cli                                  ; IOPL 3: allowed
    int 0x41
.publish:                                ; copy resume/in values to the ring-0 variables
    push ax
    push ds
    xor ax, ax
    mov ds, ax
    mov ax, [cs:resume_copy - v86_start]
    mov [resume], ax
    mov word [resume + 2], 0
    mov al, [cs:in_copy - v86_start]
    mov [in_value], al
    pop ds
    pop ax
    ret
in_copy:     db 0
align 2
resume_copy: dw 0
v86_end:

bits 32
; ---------------------------------------------------------------- helpers
PM_HARNESS_ROUTINES

build_idt:
    CLEAR_IDT
    mov eax, db_handler
    mov bl, 1
    mov dx, 0x8E00
    call set_gate
    mov eax, gp_handler
    mov bl, 13
    call set_gate
    mov eax, int40
    mov bl, 0x40
    mov dx, 0xEE00
    call set_gate
    mov eax, report
    mov bl, 0x41
    call set_gate
    ret

idt_ptr: dw 256*8 - 1
         dd IDT_BASE

msg_banner:  db "virtual-8086, I/O bitmap and single-step test", 10, 0
msg_step:    db "TF traps after each instruction with the next EIP and DR6.BS", 0
msg_v86_int: db "INT n from v86 reaches ring 0 with VM and the v86 segments on the stack", 0
msg_v86_seg: db "v86 segments are selector << 4", 0
msg_io:      db "I/O bitmap: allowed port works, denied and straddling ones #GP", 0

gdt_ptr: dw gdt_end - gdt_template - 1
         dd GDT_BASE
align 8
gdt_template:
    dq 0
    dq 0x00CF9B000000FFFF       ; 0x08 code, ring 0, flat 32-bit
    dq 0x00CF93000000FFFF       ; 0x10 data, ring 0, flat
    dw TSS_LIMIT, TSS_BASE, 0x8900, 0   ; 0x18 32-bit TSS
gdt_end:

RESET_VECTOR start16

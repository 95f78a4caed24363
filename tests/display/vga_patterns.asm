; A multiboot kernel (a.out kludge, loaded at 1 MiB) that draws known
; patterns for the display tests, then halts with interrupts off:
;   argument "mode13" (after the kernel's path, as the loader passes it): mode 13h programmed register by register (the
;     IBM VGA BIOS's mode 13h values), a computed 256-entry palette and
;     pixel (x, y) = (x + 2y) & 0xFF at 0xA0000 + 320y + x;
;   argument "vbe": BAR0 of the stdvga (00:02.0) placed at 0xE0000000,
;     then a Bochs VBE 640x480x32 LFB mode through ports 0x1CE/0x1CF and
;     pixel (x, y) = R x & 0xFF, G y & 0xFF, B (x ^ y) & 0xFF.
; tests/display/vga_patterns_test.cpp computes the same pictures.
bits 32
org 0x100000

MB_MAGIC equ 0x1BADB002
MB_FLAGS equ 0x00010000              ; bit 16: the address fields below are valid
LFB      equ 0xE0000000

header:
  dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
  dd header, header, 0, 0, start

start:
  cli
  mov esp, 0x90000
  mov esi, [ebx + 16]                ; multiboot info: cmdline, "KERNEL-PATH ARGS"
.skip_path:
  lodsb
  test al, al
  jz .mode13
  cmp al, ' '
  jne .skip_path
  cmp byte [esi], 'v'
  je vbe
.mode13:

; ---- mode 13h ----
  mov dx, 0x3C2
  mov al, 0x63
  out dx, al
  mov esi, seq_values
  mov dx, 0x3C4
  xor ecx, ecx
.seq:
  mov al, cl
  mov ah, [esi + ecx]
  out dx, ax                         ; index then data
  inc ecx
  cmp ecx, 5
  jb .seq
  mov dx, 0x3D4                      ; unlock CR0-CR7 (CR11 bit 7)
  mov ax, 0x0E11
  out dx, ax
  mov esi, crtc_values
  xor ecx, ecx
.crtc:
  mov al, cl
  mov ah, [esi + ecx]
  out dx, ax
  inc ecx
  cmp ecx, 25
  jb .crtc
  mov esi, gc_values
  mov dx, 0x3CE
  xor ecx, ecx
.gc:
  mov al, cl
  mov ah, [esi + ecx]
  out dx, ax
  inc ecx
  cmp ecx, 9
  jb .gc
  mov dx, 0x3DA
  in al, dx                          ; attribute flip-flop to "index"
  mov dx, 0x3C0
  mov esi, attr_values
  xor ecx, ecx
.attr:
  mov al, cl
  out dx, al
  mov al, [esi + ecx]
  out dx, al
  inc ecx
  cmp ecx, 21
  jb .attr
  mov al, 0x20                       ; palette address source: display on
  out dx, al
  ; palette entry i = (i & 63, 3i & 63, 63 - (i & 63))
  mov dx, 0x3C8
  xor al, al
  out dx, al
  mov dx, 0x3C9
  xor ecx, ecx
.dac:
  mov al, cl
  and al, 63
  out dx, al
  lea eax, [ecx * 3]
  and al, 63
  out dx, al
  mov al, cl
  and al, 63
  neg al
  add al, 63
  out dx, al
  inc ecx
  cmp ecx, 256
  jb .dac
  ; pixels
  mov edi, 0xA0000
  xor ebx, ebx                       ; y
.row13:
  xor ecx, ecx                       ; x
.px13:
  lea eax, [ecx + ebx * 2]
  mov [edi], al
  inc edi
  inc ecx
  cmp ecx, 320
  jb .px13
  inc ebx
  cmp ebx, 200
  jb .row13
  jmp done

; ---- Bochs VBE 640x480x32 ----
vbe:
  mov dx, 0xCF8                      ; 00:02.0 BAR0
  mov eax, 0x80001010
  out dx, eax
  mov dx, 0xCFC
  mov eax, LFB
  out dx, eax
  mov dx, 0xCF8                      ; command: memory space on
  mov eax, 0x80001004
  out dx, eax
  mov dx, 0xCFC
  mov ax, 0x0002
  out dx, ax
  mov esi, dispi_values
.dispi:
  mov ax, [esi]
  cmp ax, 0xFFFF
  je .draw
  mov dx, 0x1CE
  out dx, ax
  mov ax, [esi + 2]
  mov dx, 0x1CF
  out dx, ax
  add esi, 4
  jmp .dispi
.draw:
  mov edi, LFB
  xor ebx, ebx
.rowv:
  xor ecx, ecx
.pxv:
  movzx eax, cl                      ; R = x
  shl eax, 8
  mov al, bl                         ; G = y
  shl eax, 8
  mov al, cl
  xor al, bl                         ; B = x ^ y
  mov [edi], eax
  add edi, 4
  inc ecx
  cmp ecx, 640
  jb .pxv
  inc ebx
  cmp ebx, 480
  jb .rowv

done:
  cli
  hlt
  jmp done

seq_values:  db 0x03, 0x01, 0x0F, 0x00, 0x0E
crtc_values: db 0x5F, 0x4F, 0x50, 0x82, 0x54, 0x80, 0xBF, 0x1F, 0x00, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
             db 0x9C, 0x8E, 0x8F, 0x28, 0x40, 0x96, 0xB9, 0xA3, 0xFF
gc_values:   db 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0F, 0xFF
attr_values: db 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F
             db 0x41, 0x00, 0x0F, 0x00, 0x00
; index, value pairs: disable, 640x480x32, enable with LFB
dispi_values: dw 4, 0, 1, 640, 2, 480, 3, 32, 4, 0x41, 0xFFFF

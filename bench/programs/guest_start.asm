; Multiboot v1 entry of the bench guests (32-bit flat protected mode, as
; GRUB, QEMU and softvisor's -kernel leave it): a stack, a clean x87, then
; guest_main(multiboot info).
bits 32
section .multiboot
align 4
  dd 0x1BADB002          ; magic
  dd 0x00000003          ; flags: page-aligned modules, memory info
  dd -(0x1BADB002 + 3)   ; checksum

section .text
global _start
extern guest_main
_start:
  mov esp, stack_top
  fninit
  push ebx
  call guest_main
.halt:
  cli
  hlt
  jmp .halt

section .bss
align 16
  resb 65536
stack_top:

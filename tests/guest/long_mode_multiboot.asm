; The long-mode test as a multiboot kernel (-kernel, no firmware): the same
; program, entered by softvisor's multiboot loader in 32-bit protected mode.
%define MULTIBOOT
%include "long_mode.inc"

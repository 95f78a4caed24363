; The long-mode test as a 64 KiB ROM run from the reset vector.
%include "long_mode.inc"

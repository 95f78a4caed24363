// -d jit: a translated block's guest instructions (Zydis's Intel syntax) and
// its host code size, for reading what the translator made of a guest.
#pragma once

#include <cstdint>
#include <cstdio>

#include "cpu/decoder.h"
#include "jit/block.h"

namespace sv {

// `bytes`: the guest bytes of the block as translated; `host_code`: also
// disassemble the generated code.
void dumpBlock(std::FILE* out, const Block& b, CodeMode mode, const uint8_t* bytes, bool host_code = false);

}  // namespace sv

// Zydis-backed decoder producing DecodedInsn. Decoding happens once per
// instruction fetch in the interpreter and once per block translation in the
// JIT; nothing downstream touches Zydis types.
#pragma once

#include <Zydis/Zydis.h>

#include <cstddef>
#include <cstdint>

#include "cpu/cpu_state.h"
#include "cpu/decoded_insn.h"

namespace sv {

enum class DecodeStatus : uint8_t {
  Ok,
  NeedMoreBytes,  // the bytes given end inside the instruction
  TooLong,        // longer than 15 bytes: #GP(0) (SDM Vol. 2, 2.3.11)
  Invalid,        // #UD
};

// The decoder configuration a code segment implies.
enum class CodeMode : uint8_t { Real16, Prot16, Prot32, Compat16, Compat32, Long64 };

class Decoder {
 public:
  Decoder();
  DecodeStatus decode(CodeMode mode, const uint8_t* bytes, size_t len, DecodedInsn& out) const;

 private:
  ZydisDecoder zydis_[6];
};

// Our register for a Zydis register (RegClass::None for ones we do not model).
RegId regIdFromZydis(ZydisRegister reg);

}  // namespace sv

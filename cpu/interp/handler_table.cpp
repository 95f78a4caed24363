#include "cpu/interp/handler_table.h"

#include "cpu/cpu.h"

namespace sv {

void handleUnimplemented(Cpu& cpu, const DecodedInsn& /*insn*/) { cpu.raiseUnimplemented(); }

namespace {
struct BuiltTable : HandlerTable {
  BuiltTable() {
    for (auto& h : by_mnemonic) h = &handleUnimplemented;
    mov_control_debug = &handleUnimplemented;
    movsd_sse = cmpsd_sse = &handleUnimplemented;
    registerDataTransfer(*this);
    registerArithmetic(*this);
    registerLogic(*this);
    registerControl(*this);
    registerString(*this);
    registerSystem(*this);
    registerProtected(*this);
    registerX87(*this);
    registerSimd(*this);
  }
};
}  // namespace

const HandlerTable& interpreterHandlers() {
  static const BuiltTable table;
  return table;
}

}  // namespace sv

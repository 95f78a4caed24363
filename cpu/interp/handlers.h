// The interpreter's dispatch table: one handler per Zydis mnemonic. Each
// cpu/interp/*.cpp file registers the mnemonics it implements; anything left
// unregistered raises #UD (and is counted), so the CPU never silently does
// the wrong thing for an instruction it does not know.
#pragma once

#include "cpu/decoded_insn.h"

namespace sv {

struct HandlerTable;

// Immutable after construction; shared by all CPUs (it holds no state).
const HandlerTable& interpreterHandlers();
void handleUnimplemented(Cpu& cpu, const DecodedInsn& insn);

// Registration, one per instruction group file.
void registerDataTransfer(HandlerTable& t);   // MOV, XCHG, LEA, PUSH/POP, CBW, ENTER/LEAVE, ...
void registerArithmetic(HandlerTable& t);     // ADD..CMP, INC/DEC, NEG, MUL/DIV, BCD
void registerLogic(HandlerTable& t);          // AND/OR/XOR/NOT/TEST, shifts, rotates, bit ops
void registerControl(HandlerTable& t);        // JMP/Jcc/CALL/RET/LOOP/INT/IRET
void registerString(HandlerTable& t);         // MOVS/CMPS/SCAS/LODS/STOS/INS/OUTS
void registerSystem(HandlerTable& t);         // flags ops, HLT, IN/OUT, CPUID, RDTSC, LxDT, ...
void registerProtected(HandlerTable& t);      // LLDT/LTR/SLDT/STR/LAR/LSL/VERR/VERW/ARPL
void registerX87(HandlerTable& t);           // x87 FPU (cpu/interp/x87.cpp, x87_control.cpp)
void registerSimd(HandlerTable& t);          // MMX, SSE..SSE4.2 (cpu/interp/sse*.cpp, ssse3.cpp)

}  // namespace sv

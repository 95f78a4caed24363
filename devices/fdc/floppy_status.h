// Result status bits of the 82077AA (datasheet, "Status Register
// Encoding"), shared by the command and transfer code.
#pragma once

#include <cstdint>

namespace sv::fdc {

// ST0: 7:6 interrupt code, 5 seek end, 4 equipment check, 2 head, 1:0 drive.
constexpr uint8_t kSt0Abnormal = 0x40, kSt0Invalid = 0x80, kSt0Polling = 0xC0, kSt0SeekEnd = 0x20,
                  kSt0EquipmentCheck = 0x10;
// ST1: 7 end of cylinder, 5 data error, 2 no data, 1 not writable, 0 missing address mark.
constexpr uint8_t kSt1EndOfCylinder = 0x80, kSt1DataError = 0x20, kSt1NoData = 0x04, kSt1NotWritable = 0x02,
                  kSt1MissingAddressMark = 0x01;
// ST2: 5 data error in the data field, 4 wrong cylinder.
constexpr uint8_t kSt2DataError = 0x20, kSt2WrongCylinder = 0x10;
// ST3: 6 write protected, 5 ready, 4 track 0, 3 two-sided.
constexpr uint8_t kSt3WriteProtected = 0x40, kSt3Ready = 0x20, kSt3Track0 = 0x10, kSt3TwoSided = 0x08;
constexpr uint8_t kSizeCode512 = 2;  // N: 128 << N bytes

}  // namespace sv::fdc

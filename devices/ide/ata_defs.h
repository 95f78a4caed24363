// ATA/ATAPI register bits and command codes (ATA/ATAPI-6, T13/1410D,
// sections 7 and 8), shared by the drive models and the channel.
#pragma once

#include <cstdint>

namespace sv::ata {

constexpr unsigned kSectorSize = 512;
constexpr unsigned kCdSectorSize = 2048;

// Status register (7.15).
constexpr uint8_t kStatusBsy = 0x80;
constexpr uint8_t kStatusDrdy = 0x40;
constexpr uint8_t kStatusDf = 0x20;
constexpr uint8_t kStatusDsc = 0x10;  // seek complete (obsolete in -6, still set by drives)
constexpr uint8_t kStatusDrq = 0x08;
constexpr uint8_t kStatusErr = 0x01;

// Error register (7.9).
constexpr uint8_t kErrorUnc = 0x40;
constexpr uint8_t kErrorIdnf = 0x10;
constexpr uint8_t kErrorAbrt = 0x04;

// Device register (7.10) and device control register (7.8).
constexpr uint8_t kDeviceLba = 0x40;
constexpr uint8_t kDeviceDev = 0x10;
constexpr uint8_t kControlHob = 0x80;
constexpr uint8_t kControlSrst = 0x04;
constexpr uint8_t kControlNien = 0x02;

// ATAPI interrupt reason in the sector count register (ATA-6 8.21.5).
constexpr uint8_t kReasonCoD = 0x01;
constexpr uint8_t kReasonIo = 0x02;

namespace cmd {
constexpr uint8_t kDeviceReset = 0x08;
constexpr uint8_t kRecalibrate = 0x10;  // 0x10-0x1F
constexpr uint8_t kReadSectors = 0x20;
constexpr uint8_t kReadSectorsNoRetry = 0x21;
constexpr uint8_t kReadSectorsExt = 0x24;
constexpr uint8_t kReadDmaExt = 0x25;
constexpr uint8_t kReadMultipleExt = 0x29;
constexpr uint8_t kWriteSectors = 0x30;
constexpr uint8_t kWriteSectorsNoRetry = 0x31;
constexpr uint8_t kWriteSectorsExt = 0x34;
constexpr uint8_t kWriteDmaExt = 0x35;
constexpr uint8_t kWriteMultipleExt = 0x39;
constexpr uint8_t kReadVerify = 0x40;
constexpr uint8_t kReadVerifyNoRetry = 0x41;
constexpr uint8_t kReadVerifyExt = 0x42;
constexpr uint8_t kSeek = 0x70;  // 0x70-0x7F
constexpr uint8_t kExecuteDiagnostic = 0x90;
constexpr uint8_t kInitializeDeviceParameters = 0x91;
constexpr uint8_t kPacket = 0xA0;
constexpr uint8_t kIdentifyPacketDevice = 0xA1;
constexpr uint8_t kReadMultiple = 0xC4;
constexpr uint8_t kWriteMultiple = 0xC5;
constexpr uint8_t kSetMultipleMode = 0xC6;
constexpr uint8_t kReadDma = 0xC8;
constexpr uint8_t kReadDmaNoRetry = 0xC9;
constexpr uint8_t kWriteDma = 0xCA;
constexpr uint8_t kWriteDmaNoRetry = 0xCB;
constexpr uint8_t kStandbyImmediate = 0xE0;
constexpr uint8_t kIdleImmediate = 0xE1;
constexpr uint8_t kStandby = 0xE2;
constexpr uint8_t kIdle = 0xE3;
constexpr uint8_t kCheckPowerMode = 0xE5;
constexpr uint8_t kFlushCache = 0xE7;
constexpr uint8_t kFlushCacheExt = 0xEA;
constexpr uint8_t kIdentifyDevice = 0xEC;
constexpr uint8_t kSetFeatures = 0xEF;
}  // namespace cmd

}  // namespace sv::ata

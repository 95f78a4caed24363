#include "devices/ide/atapi_cdrom.h"

#include <algorithm>
#include <cstring>

namespace sv {

namespace {

// Operation codes (SPC-3, MMC-3).
constexpr uint8_t kTestUnitReady = 0x00;
constexpr uint8_t kRequestSense = 0x03;
constexpr uint8_t kInquiry = 0x12;
constexpr uint8_t kStartStopUnit = 0x1B;
constexpr uint8_t kPreventAllowRemoval = 0x1E;
constexpr uint8_t kReadCapacity = 0x25;
constexpr uint8_t kRead10 = 0x28;
constexpr uint8_t kReadToc = 0x43;
constexpr uint8_t kGetConfiguration = 0x46;
constexpr uint8_t kGetEventStatus = 0x4A;
constexpr uint8_t kReadDiscInformation = 0x51;
constexpr uint8_t kModeSense10 = 0x5A;
constexpr uint8_t kRead12 = 0xA8;

// Additional sense codes (SPC-3 Annex D).
constexpr uint8_t kAscInvalidOpcode = 0x20;
constexpr uint8_t kAscLbaOutOfRange = 0x21;
constexpr uint8_t kAscInvalidFieldInCdb = 0x24;
constexpr uint8_t kAscMediumMayHaveChanged = 0x28;
constexpr uint8_t kAscSavingNotSupported = 0x39;
constexpr uint8_t kAscMediumNotPresent = 0x3A;
constexpr uint8_t kAscUnrecoveredReadError = 0x11;
constexpr uint8_t kAscRemovalPrevented = 0x53;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]; }
void put16(uint8_t* p, uint32_t v) { p[0] = static_cast<uint8_t>(v >> 8), p[1] = static_cast<uint8_t>(v); }
void put32(uint8_t* p, uint32_t v) { put16(p, v >> 16), put16(p + 2, v); }

void putPadded(uint8_t* p, const std::string& s, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(i < s.size() ? s[i] : ' ');
}

// A TOC address (MMC-3 6.26.2.1): an LBA, or MSF with the 2-second
// (150-frame) lead-in offset.
void putAddress(uint8_t* p, uint32_t lba, bool msf) {
  if (!msf) return put32(p, lba);
  const uint32_t f = lba + 150;
  p[0] = 0, p[1] = static_cast<uint8_t>(f / (75 * 60)), p[2] = static_cast<uint8_t>(f / 75 % 60), p[3] = static_cast<uint8_t>(f % 75);
}

}  // namespace

AtapiCdrom::AtapiCdrom(std::unique_ptr<DiskImage> medium, std::string vendor, std::string product, std::string revision)
    : medium_(std::move(medium)), vendor_(std::move(vendor)), product_(std::move(product)), revision_(std::move(revision)) {}

void AtapiCdrom::reset() {
  sense_ = {};
  locked_ = false;
}

void AtapiCdrom::insert(std::unique_ptr<DiskImage> medium) {
  medium_ = std::move(medium);
  ejected_.reset();
  tray_open_ = false;
  unit_attention_ = true;
  media_event_ = 2;
}

void AtapiCdrom::eject() {
  if (medium_) ejected_ = std::move(medium_);
  tray_open_ = true;
  unit_attention_ = true;
  media_event_ = 3;
}

uint64_t AtapiCdrom::blocks() const { return hasMedium() ? medium_->sizeBytes() / 2048 : 0; }

AtapiCdrom::Reply AtapiCdrom::fail(uint8_t key, uint8_t asc, uint8_t ascq) {
  sense_ = {key, asc, ascq};
  Reply r;
  r.good = false;
  return r;
}

// Data-in replies are cut to the allocation length (SPC-3 4.3.4.6).
AtapiCdrom::Reply AtapiCdrom::data(size_t produced, size_t allocation) {
  Reply r;
  r.length = std::min(produced, allocation);
  return r;
}

AtapiCdrom::Reply AtapiCdrom::execute(const uint8_t* cdb, std::span<uint8_t> out) {
  const uint8_t op = cdb[0];
  if (op == kRequestSense) return requestSense(cdb, out);
  sense_ = {};
  if (op == kInquiry) return inquiry(cdb, out);
  if (op == kGetEventStatus) return getEventStatus(cdb, out);
  // A pending unit attention ends the first other command (SPC-3 5.9.7).
  if (unit_attention_) {
    unit_attention_ = false;
    return fail(scsi::kUnitAttention, kAscMediumMayHaveChanged);
  }
  const bool needs_medium = op == kTestUnitReady || op == kReadCapacity || op == kRead10 || op == kRead12 ||
                            op == kReadToc || op == kReadDiscInformation;
  if (needs_medium && !hasMedium()) return fail(scsi::kNotReady, kAscMediumNotPresent, tray_open_ ? 2 : 1);
  switch (op) {
    case kTestUnitReady: return Reply{};
    case kReadCapacity: return readCapacity(out);
    case kRead10: return read(be32(cdb + 2), be16(cdb + 7));
    case kRead12: return read(be32(cdb + 2), be32(cdb + 6));
    case kModeSense10: return modeSense10(cdb, out);
    case kReadToc: return readToc(cdb, out);
    case kGetConfiguration: return getConfiguration(cdb, out);
    case kReadDiscInformation: return readDiscInformation(cdb, out);
    case kPreventAllowRemoval: locked_ = cdb[4] & 1; return Reply{};
    case kStartStopUnit: return startStopUnit(cdb);
    default: return fail(scsi::kIllegalRequest, kAscInvalidOpcode);
  }
}

// Fixed-format sense data (SPC-3 4.5.3); the sense is consumed.
AtapiCdrom::Reply AtapiCdrom::requestSense(const uint8_t* cdb, std::span<uint8_t> out) {
  if (unit_attention_) {
    unit_attention_ = false;
    sense_ = {scsi::kUnitAttention, kAscMediumMayHaveChanged, 0};
  }
  std::memset(out.data(), 0, 18);
  out[0] = 0x70;  // current error, fixed format
  out[2] = sense_.key;
  out[7] = 10;  // additional length
  out[12] = sense_.asc;
  out[13] = sense_.ascq;
  sense_ = {};
  return data(18, cdb[4]);
}

// Standard INQUIRY data (SPC-3 6.4.2) of a removable CD-ROM device.
AtapiCdrom::Reply AtapiCdrom::inquiry(const uint8_t* cdb, std::span<uint8_t> out) {
  if (cdb[1] & 0x01) return fail(scsi::kIllegalRequest, kAscInvalidFieldInCdb);  // no vital product data pages
  std::memset(out.data(), 0, 36);
  out[0] = 0x05;  // CD/DVD device
  out[1] = 0x80;  // removable
  out[2] = 0x00;  // no SCSI standard claimed (ATAPI)
  out[3] = 0x21;  // ATAPI version 2, response data format 1 (SFF-8020i 10.8.2)
  out[4] = 36 - 5;
  putPadded(&out[8], vendor_, 8);
  putPadded(&out[16], product_, 16);
  putPadded(&out[32], revision_, 4);
  return data(36, be16(cdb + 3) ? be16(cdb + 3) : cdb[4]);
}

AtapiCdrom::Reply AtapiCdrom::readCapacity(std::span<uint8_t> out) {
  put32(&out[0], static_cast<uint32_t>(blocks() - 1));  // last LBA
  put32(&out[4], 2048);
  return data(8, 8);
}

AtapiCdrom::Reply AtapiCdrom::read(uint64_t lba, uint64_t count) {
  if (lba + count > blocks()) return fail(scsi::kIllegalRequest, kAscLbaOutOfRange);
  Reply r;
  r.read_lba = lba;
  r.read_blocks = static_cast<uint32_t>(count);
  return r;
}

bool AtapiCdrom::readSectors(uint64_t lba, uint32_t count, uint8_t* out) {
  if (hasMedium() && medium_->read(lba * 2048, out, size_t{count} * 2048)) return true;
  sense_ = {scsi::kMediumError, kAscUnrecoveredReadError, 0};
  return false;
}

// MODE SENSE(10) (SPC-3 6.10) with the pages Linux's sr driver and cdrom
// layer ask for: 01h read error recovery and 2Ah capabilities (MMC-3 6.3.11).
AtapiCdrom::Reply AtapiCdrom::modeSense10(const uint8_t* cdb, std::span<uint8_t> out) {
  const unsigned page = cdb[2] & 0x3F, control = cdb[2] >> 6;
  if (control == 3) return fail(scsi::kIllegalRequest, kAscSavingNotSupported);
  const bool changeable = control == 1;  // nothing is changeable: all zero masks
  std::memset(out.data(), 0, 64);
  size_t n = 8;  // header; no block descriptors (ATAPI)
  if (page == 0x01 || page == 0x3F) {
    uint8_t* p = &out[n];
    p[0] = 0x01, p[1] = 6;
    if (!changeable) p[3] = 5;  // read retry count
    n += 8;
  }
  if (page == 0x2A || page == 0x3F) {
    uint8_t* p = &out[n];
    p[0] = 0x2A, p[1] = 18;
    if (!changeable) {
      p[2] = 0x00;  // reads CD-ROM only (no CD-R/RW, DVD)
      p[4] = 0x00;  // no audio play, mode 2 forms or multi-session (READ CD, PLAY AUDIO are not implemented)
      p[5] = 0x00;
      p[6] = 0x29 | (locked_ ? 0x02 : 0);  // lock, eject, tray loader; 1: locked now
      put16(&p[8], 706);  // maximum read speed (KB/s), 4x
      put16(&p[10], 2);   // volume levels
      put16(&p[12], 512); // buffer size (KiB)
      put16(&p[14], 706); // current read speed
    }
    n += 20;
  }
  if (n == 8) return fail(scsi::kIllegalRequest, kAscInvalidFieldInCdb);
  out[2] = hasMedium() ? 0x01 : 0x70;  // medium type: 120 mm data CD, or "no disc" (MMC-3 Table 344)
  put16(&out[0], static_cast<uint32_t>(n - 2));
  return data(n, be16(cdb + 7));
}

// READ TOC/PMA/ATIP (MMC-3 6.26) of a single-session, single-data-track
// disc: format 0 (TOC) and 1 (session information), in LBA or MSF form.
AtapiCdrom::Reply AtapiCdrom::readToc(const uint8_t* cdb, std::span<uint8_t> out) {
  const bool msf = cdb[1] & 0x02;
  // Old ATAPI hosts put the format in bits 7:6 of byte 9 (SFF-8020i).
  const unsigned format = (cdb[2] & 0x0F) ? (cdb[2] & 0x0F) : cdb[9] >> 6;
  const unsigned track = cdb[6];
  const uint32_t leadout = static_cast<uint32_t>(blocks());
  size_t n = 4;
  auto descriptor = [&](uint8_t number, uint32_t lba) {
    uint8_t* p = &out[n];
    p[0] = 0, p[1] = 0x14, p[2] = number, p[3] = 0;  // ADR 1, data track
    putAddress(&p[4], lba, msf);
    n += 8;
  };
  if (format == 0) {
    if (track > 1 && track != 0xAA) return fail(scsi::kIllegalRequest, kAscInvalidFieldInCdb);
    if (track <= 1) descriptor(1, 0);
    descriptor(0xAA, leadout);
  } else if (format == 1) {
    descriptor(1, 0);  // first track of the last session
  } else {
    return fail(scsi::kIllegalRequest, kAscInvalidFieldInCdb);
  }
  put16(&out[0], static_cast<uint32_t>(n - 2));
  out[2] = 1, out[3] = 1;  // first and last track (format 1: session)
  return data(n, be16(cdb + 7));
}

// GET CONFIGURATION (MMC-3 5.2, 6.6): the CD-ROM profile and the features
// a read-only drive has: profile list, core, removable medium, random
// readable, CD read.
AtapiCdrom::Reply AtapiCdrom::getConfiguration(const uint8_t* cdb, std::span<uint8_t> out) {
  const unsigned rt = cdb[1] & 0x03;
  const unsigned start = be16(cdb + 2);
  if (rt == 3) return fail(scsi::kIllegalRequest, kAscInvalidFieldInCdb);
  std::memset(out.data(), 0, 128);
  const bool medium = hasMedium();
  size_t n = 8;
  auto feature = [&](unsigned code, bool current, uint8_t version, std::initializer_list<uint8_t> body) {
    if (code < start || (rt == 2 && code != start) || (rt == 1 && !current)) return;
    uint8_t* p = &out[n];
    put16(p, code);
    p[2] = static_cast<uint8_t>(version << 2 | 0x02 | (current ? 1 : 0));  // persistent when always current
    if (!current || code == 0x03 || code == 0x10 || code == 0x1E) p[2] &= ~0x02;
    p[3] = static_cast<uint8_t>(body.size());
    std::copy(body.begin(), body.end(), p + 4);
    n += 4 + body.size();
  };
  feature(0x0000, true, 0, {0x00, 0x08, static_cast<uint8_t>(medium ? 1 : 0), 0});  // profile 0008h CD-ROM
  feature(0x0001, true, 0, {0, 0, 0, 2, 0, 0, 0, 0});  // core: ATAPI physical interface
  feature(0x0003, true, 0, {static_cast<uint8_t>(0x29 | (locked_ ? 0x04 : 0)), 0, 0, 0});  // tray, eject, lock
  feature(0x0010, medium, 0, {0, 0, 0x08, 0x00, 0, 1, 0, 0});  // random readable: 2048-byte blocks, blocking 1
  feature(0x001E, medium, 0, {0, 0, 0, 0});  // CD read
  put32(&out[0], static_cast<uint32_t>(n - 4));
  put16(&out[6], medium ? 0x0008 : 0x0000);  // current profile
  return data(n, be16(cdb + 7));
}

// GET EVENT STATUS NOTIFICATION, polled only (MMC-3 6.8): the media class.
AtapiCdrom::Reply AtapiCdrom::getEventStatus(const uint8_t* cdb, std::span<uint8_t> out) {
  if (!(cdb[1] & 0x01)) return fail(scsi::kIllegalRequest, kAscInvalidFieldInCdb);  // asynchronous mode
  constexpr uint8_t kMediaClass = 0x10;
  std::memset(out.data(), 0, 8);
  out[3] = kMediaClass;  // supported classes
  if (!(cdb[4] & kMediaClass)) {
    out[2] = 0x80;  // NEA: none of the requested classes is supported
    put16(&out[0], 2);
    return data(4, be16(cdb + 7));
  }
  out[2] = 4;  // media class
  out[4] = media_event_;
  out[5] = static_cast<uint8_t>((hasMedium() ? 0x02 : 0) | (tray_open_ ? 0x01 : 0));
  media_event_ = 0;
  put16(&out[0], 6);
  return data(8, be16(cdb + 7));
}

// READ DISC INFORMATION (MMC-3 6.22): a finalised single-session disc.
AtapiCdrom::Reply AtapiCdrom::readDiscInformation(const uint8_t* cdb, std::span<uint8_t> out) {
  if (cdb[1] & 0x07) return fail(scsi::kIllegalRequest, kAscInvalidFieldInCdb);  // only standard disc information
  std::memset(out.data(), 0, 34);
  put16(&out[0], 32);
  out[2] = 0x0E;  // last session complete, disc complete
  out[3] = 1;     // first track
  out[4] = 1;     // sessions
  out[5] = 1;     // first track in last session
  out[6] = 1;     // last track in last session
  out[8] = 0x00;  // CD-DA or CD-ROM disc
  put32(&out[16], 0xFFFFFFFF);  // lead-in start: none (pressed disc)
  put32(&out[20], 0xFFFFFFFF);
  return data(34, be16(cdb + 7));
}

// START STOP UNIT (SBC-2/MMC-3 6.37): LoEj with Start opens or closes the
// tray; a locked tray stays shut.
AtapiCdrom::Reply AtapiCdrom::startStopUnit(const uint8_t* cdb) {
  const bool loej = cdb[4] & 0x02, start = cdb[4] & 0x01;
  if (!loej) return Reply{};
  if (!start) {
    if (locked_) return fail(scsi::kIllegalRequest, kAscRemovalPrevented, 0x02);
    if (!tray_open_) {
      if (medium_) ejected_ = std::move(medium_);
      tray_open_ = true;
      media_event_ = 3;
    }
  } else if (tray_open_) {
    medium_ = std::move(ejected_);
    tray_open_ = false;
    if (medium_) media_event_ = 2, unit_attention_ = true;
  }
  return Reply{};
}

}  // namespace sv

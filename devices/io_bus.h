// The x86 I/O port space. Devices register the ports they answer; the CPU
// reaches them only through this bus (IN/OUT/INS/OUTS).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sv {

class IoDevice {
 public:
  virtual ~IoDevice() = default;
  // size is 1, 2 or 4. A device sees the first port of the access.
  virtual uint32_t ioRead(uint16_t port, unsigned size) = 0;
  virtual void ioWrite(uint16_t port, unsigned size, uint32_t value) = 0;
};

class IoBus {
 public:
  IoBus();
  // Claims [first, first+count). Throws std::invalid_argument on overlap, so
  // board assembly errors surface at start-up, not as odd guest behaviour.
  void registerPorts(uint16_t first, uint32_t count, IoDevice& dev, std::string name);
  void unregisterPorts(uint16_t first, uint32_t count);

  // An unclaimed port reads as all ones and ignores writes (open bus).
  uint32_t read(uint16_t port, unsigned size);
  void write(uint16_t port, unsigned size, uint32_t value);

  IoDevice* deviceAt(uint16_t port) const { return ports_[port]; }
  const std::string& nameAt(uint16_t port) const;

 private:
  std::vector<IoDevice*> ports_;   // 65536 entries
  std::vector<uint16_t> name_of_;  // index into names_
  std::vector<std::string> names_;
};

}  // namespace sv

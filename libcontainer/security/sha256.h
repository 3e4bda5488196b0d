#pragma once
// SHA-256 (FIPS 180-4) for content-addressed caches (the compiled seccomp filter cache). Small
// and dependency-free: grove links no crypto library. Not constant-time; never use it for
// secrets.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace grove::security {

// Incremental SHA-256 for data too large to hold in memory (EROFS image digests of big files).
// update() any number of times, then finish() once; the object is then spent. Not thread-safe.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  std::array<uint8_t, 32> finish();

 private:
  uint32_t h_[8];
  uint8_t buf_[64];
  std::size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

// The 32-byte digest of `data`. Pure.
std::array<uint8_t, 32> sha256(std::string_view data);

// The digest as 64 lower-case hex digits ("ba7816bf..." for "abc"). Pure.
std::string sha256_hex(std::string_view data);

}  // namespace grove::security

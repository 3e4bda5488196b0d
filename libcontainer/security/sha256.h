#pragma once
// SHA-256 (FIPS 180-4) for content-addressed caches (the compiled seccomp filter cache). Small
// and dependency-free: grove links no crypto library. Not constant-time; never use it for
// secrets.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace grove::security {

// The 32-byte digest of `data`. Pure.
std::array<uint8_t, 32> sha256(std::string_view data);

// The digest as 64 lower-case hex digits ("ba7816bf..." for "abc"). Pure.
std::string sha256_hex(std::string_view data);

}  // namespace grove::security

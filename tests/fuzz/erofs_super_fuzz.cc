// libFuzzer target: grove's EROFS superblock check (image/erofs_super.h), run on every image
// layer before the kernel sees it. The input is the file: its first 4096 bytes are the head and
// its length the file size (and, from the input's last byte, a file claimed longer than the
// head, as a big image would be). An accepted superblock must describe an image that fits.

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "libcontainer/image/erofs_super.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view file(reinterpret_cast<const char*>(data), size);
  std::string_view head = file.substr(0, grove::image::kErofsSuperReadSize);
  uint64_t sizes[] = {size, size + (size > 0 ? uint64_t{data[size - 1]} << 20 : 0)};
  for (uint64_t file_size : sizes) {
    auto r = grove::image::check_erofs_super(head, file_size);
    if (!r) {
      if (r.error().code() != EINVAL && r.error().code() != ENOTSUP) std::abort();
      continue;
    }
    // What the check promises: a supported block size, and the image within the file.
    if (r->block_size < 512 || r->block_size > 4096) std::abort();
    if (r->blocks * r->block_size > file_size) std::abort();
  }
  return 0;
}

// libFuzzer target: the sync-socket protocol decoder (process/sync.h) the runtime runs on what
// the container init sends, and the exec-fifo result decoder `grove start` runs. A decoded
// message must encode again within the protocol's size limit.

#include <cstddef>
#include <cstdint>
#include <string>

#include "libcontainer/process/init.h"
#include "libcontainer/process/sync.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* buf = reinterpret_cast<const char*>(data);
  auto msg = grove::process::decode_sync(buf, size);
  if (msg) {
    char out[grove::process::kSyncMaxMessage];
    const grove::Error* err = msg->error ? &*msg->error : nullptr;
    std::size_t n = grove::process::encode_sync(msg->kind, msg->value, err, out, sizeof out);
    if (n > sizeof out) __builtin_trap();
    if (err != nullptr) (void)err->message();
  }
  (void)grove::process::decode_fifo_result(std::string(buf, size));
  return 0;
}

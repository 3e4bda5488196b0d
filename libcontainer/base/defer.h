#pragma once
// Defer runs a cleanup at scope exit unless dismissed: unmount or rmdir on failure paths.

#include <utility>

namespace grove {

template <typename F>
class [[nodiscard]] Defer {
 public:
  explicit Defer(F f) : f_(std::move(f)) {}
  Defer(const Defer&) = delete;
  Defer& operator=(const Defer&) = delete;
  ~Defer() {
    if (armed_) f_();
  }
  // The cleanup will not run (the operation succeeded).
  void dismiss() noexcept { armed_ = false; }

 private:
  F f_;
  bool armed_ = true;
};

}  // namespace grove

#pragma once
// Error and Result<T>: every fallible function in grove returns one of these (style.md §2.2).

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

namespace grove {

// An errno-style code plus context frames, innermost first. The innermost frame is created where
// the failing syscall (or check) is made; each layer boundary adds one frame naming its subject.
// Cheap to move; never throws except std::bad_alloc (which terminates by policy).
class Error {
 public:
  // A failed syscall: `what` names the call with quoted arguments, e.g. `mount_setattr("proc")`.
  // message() ends with the errno name and description. `code` must be non-zero (0 -> EIO).
  static Error from_errno(int code, std::string what);
  // Same as from_errno(errno, what); reads errno at the call.
  static Error last(std::string what);
  // A semantic error (bad spec, bad flag): code() == EINVAL, message() shows no errno text.
  static Error invalid(std::string what);
  // A missing kernel or build feature: code() == ENOTSUP, message() shows no errno text.
  static Error not_supported(std::string what);
  // Any code with a plain message and no errno text (e.g. ENOENT "container does not exist").
  static Error plain(int code, std::string what);
  // Rebuilds an error sent across fork as {code, frames, show_errno} (see process/sync).
  static Error from_parts(int code, std::vector<std::string> frames, bool show_errno);

  // Adds an outer frame in place (for lvalues) or on a temporary.
  Error& add_context(std::string what) &;
  Error context(std::string what) &&;  // by value: never dangles

  int code() const noexcept { return code_; }
  bool shows_errno() const noexcept { return show_errno_; }
  // Frames innermost first.
  const std::vector<std::string>& frame_list() const noexcept { return frames_; }
  // Frames rendered outermost first, joined by ": ", without the errno text.
  std::string frames() const;
  // frames() plus ": ENAME (description)" when the error came from a syscall.
  std::string message() const;

 private:
  Error(int code, std::string what, bool show_errno);
  int code_;
  bool show_errno_;
  std::vector<std::string> frames_;
};

// "EPERM (Operation not permitted)"; unknown codes render as "errno 1234".
std::string errno_text(int code);

}  // namespace grove

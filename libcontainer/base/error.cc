#include "libcontainer/base/error.h"

#include <cstring>

namespace grove {

Error::Error(int code, std::string what, bool show_errno)
    : code_(code == 0 ? EIO : code), show_errno_(show_errno) {
  frames_.push_back(std::move(what));
}

Error Error::from_errno(int code, std::string what) { return Error(code, std::move(what), true); }
Error Error::last(std::string what) { return Error(errno, std::move(what), true); }
Error Error::invalid(std::string what) { return Error(EINVAL, std::move(what), false); }
Error Error::not_supported(std::string what) { return Error(ENOTSUP, std::move(what), false); }
Error Error::plain(int code, std::string what) { return Error(code, std::move(what), false); }

Error Error::from_parts(int code, std::vector<std::string> frames, bool show_errno) {
  Error e(code, "", show_errno);
  if (!frames.empty()) e.frames_ = std::move(frames);
  return e;
}

Error& Error::add_context(std::string what) & {
  frames_.push_back(std::move(what));
  return *this;
}

Error Error::context(std::string what) && {
  frames_.push_back(std::move(what));
  return std::move(*this);
}

std::string Error::frames() const {
  std::string out;
  for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
    if (it->empty()) continue;
    if (!out.empty()) out += ": ";
    out += *it;
  }
  return out;
}

std::string Error::message() const {
  std::string out = frames();
  if (!show_errno_) return out.empty() ? errno_text(code_) : out;
  if (!out.empty()) out += ": ";
  return out + errno_text(code_);
}

std::string errno_text(int code) {
  const char* name = strerrorname_np(code);
  const char* desc = strerrordesc_np(code);
  if (name == nullptr || desc == nullptr) return "errno " + std::to_string(code);
  return std::string(name) + " (" + desc + ")";
}

}  // namespace grove

#pragma once
// Result<T>: a value or an Error. Mirrors the std::expected subset we use, so moving to
// std::expected<T, Error> under C++23 is a typedef change. value() asserts; check first.

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "libcontainer/base/error.h"

namespace grove {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}
  template <typename U = T,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::decay_t<U>, Error> &&
                                        !std::is_same_v<std::decay_t<U>, Result>>>
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(v_); }
  const T& value() const& { assert(has_value()); return std::get<0>(v_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  Error& error() & { assert(!has_value()); return std::get<1>(v_); }
  const Error& error() const& { assert(!has_value()); return std::get<1>(v_); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

  // Adds an outer frame on failure. `what` is a string or a callable returning one (lazy form).
  // Returns by value: a reference to the temporary would dangle once bound by GROVE_TRY.
  template <typename F>
  Result context(F&& what) && {
    if (!has_value()) std::get<1>(v_).add_context(make_frame(std::forward<F>(what)));
    return std::move(*this);
  }

 private:
  template <typename F>
  static std::string make_frame(F&& what) {
    if constexpr (std::is_invocable_v<F>) return std::string(what());
    else return std::string(std::forward<F>(what));
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : e_(std::move(e)) {}

  bool has_value() const noexcept { return !e_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const { assert(has_value()); }

  Error& error() & { assert(!has_value()); return *e_; }
  const Error& error() const& { assert(!has_value()); return *e_; }
  Error&& error() && { assert(!has_value()); return std::move(*e_); }

  template <typename F>
  Result context(F&& what) && {
    if (e_) {
      if constexpr (std::is_invocable_v<F>) e_->add_context(std::string(what()));
      else e_->add_context(std::string(std::forward<F>(what)));
    }
    return std::move(*this);
  }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;

// A successful Result<void>.
inline Result<void> ok() { return {}; }

}  // namespace grove

#define GROVE_CONCAT_INNER_(a, b) a##b
#define GROVE_CONCAT_(a, b) GROVE_CONCAT_INNER_(a, b)

// Evaluates a Result expression; on failure returns its Error from the enclosing function.
#define GROVE_TRY(expr)                                   \
  do {                                                    \
    auto grove_try_r_ = (expr);                           \
    if (!grove_try_r_) return std::move(grove_try_r_).error(); \
  } while (0)

// `GROVE_ASSIGN_OR_RETURN(auto fd, open_thing());` Expands to several statements: never use it as
// the body of an unbraced if/for.
#define GROVE_ASSIGN_OR_RETURN(lhs, expr) \
  GROVE_ASSIGN_OR_RETURN_IMPL_(GROVE_CONCAT_(grove_aor_r_, __LINE__), lhs, expr)
#define GROVE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp) return std::move(tmp).error();           \
  lhs = std::move(tmp).value()

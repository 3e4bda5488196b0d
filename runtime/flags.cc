// Flag parsing with Go `flag` package semantics (the parser under runc's urfave/cli v1).

#include "runtime/flags.h"

#include <algorithm>

#include "libcontainer/base/strings.h"

namespace grove::cli {
namespace {

const FlagSpec* find_spec(std::span<const FlagSpec> specs, std::string_view name) {
  for (const FlagSpec& s : specs) {
    if (s.name == name) return &s;
    if (std::find(s.aliases.begin(), s.aliases.end(), name) != s.aliases.end()) return &s;
  }
  return nullptr;
}

bool parse_uint(std::string_view s, long long* out) {
  // Go's ParseUint rejects a sign; parse_int64 would accept "-1" and "+1".
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  return parse_int64(s, out);
}

// Checks and stores one value of a non-bool flag. `name` is the spelling the user typed, which
// Go's messages echo back.
Status store_value(const FlagSpec& spec, std::string_view name, std::string value,
                   FlagValues& values) {
  long long n = 0;
  if (spec.kind == FlagKind::kInt && !parse_int64(value, &n)) {
    return Error::invalid("invalid value " + q(value) + " for flag -" + std::string(name) +
                          ": parse error");
  }
  if (spec.kind == FlagKind::kUint && !parse_uint(value, &n)) {
    return Error::invalid("invalid value " + q(value) + " for flag -" + std::string(name) +
                          ": parse error");
  }
  values.add(spec.name, std::move(value));
  return ok();
}

// Parses the flag at argv[i] (known to start with '-' and be longer than "-"). Returns how many
// arguments it used: 1, or 2 when the value is the next argument ("--root DIR").
Result<size_t> parse_one(std::span<const FlagSpec> specs, std::span<const std::string> argv,
                         size_t i, FlagValues& values) {
  const std::string& arg = argv[i];
  size_t dashes = arg[1] == '-' ? 2 : 1;
  std::string_view name = std::string_view(arg).substr(dashes);
  if (name.empty() || name[0] == '-' || name[0] == '=') {
    return Error::invalid("bad flag syntax: " + arg);
  }
  std::optional<std::string> inline_value;
  if (size_t eq = name.find('='); eq != std::string_view::npos) {
    inline_value = std::string(name.substr(eq + 1));
    name = name.substr(0, eq);
  }
  const FlagSpec* spec = find_spec(specs, name);
  if (spec == nullptr) {
    return Error::invalid("flag provided but not defined: -" + std::string(name));
  }
  if (spec->kind == FlagKind::kBool) {
    // A bool never consumes the next argument: `--detach false` leaves "false" positional,
    // exactly as in Go.
    bool b = true;
    if (inline_value && !parse_go_bool(*inline_value, &b)) {
      return Error::invalid("invalid boolean value " + q(*inline_value) + " for -" +
                            std::string(name) + ": parse error");
    }
    values.add(spec->name, b ? "true" : "false");
    return size_t{1};
  }
  if (inline_value) {
    GROVE_TRY(store_value(*spec, name, std::move(*inline_value), values));
    return size_t{1};
  }
  // Go takes the next argument as the value even when it starts with '-'.
  if (i + 1 >= argv.size()) {
    return Error::invalid("flag needs an argument: -" + std::string(name));
  }
  GROVE_TRY(store_value(*spec, name, argv[i + 1], values));
  return size_t{2};
}

}  // namespace

FlagSpec bool_flag(std::string name, std::string usage, std::vector<std::string> aliases) {
  return {std::move(name), std::move(aliases), FlagKind::kBool, std::move(usage), "", false};
}

FlagSpec value_flag(FlagKind kind, std::string name, std::string usage,
                    std::vector<std::string> aliases, std::string default_text) {
  return {std::move(name),  std::move(aliases),      kind,
          std::move(usage), std::move(default_text), false};
}

bool parse_go_bool(std::string_view s, bool* out) {
  static constexpr std::string_view kTrue[] = {"1", "t", "T", "TRUE", "true", "True"};
  static constexpr std::string_view kFalse[] = {"0", "f", "F", "FALSE", "false", "False"};
  if (std::find(std::begin(kTrue), std::end(kTrue), s) != std::end(kTrue)) {
    *out = true;
    return true;
  }
  if (std::find(std::begin(kFalse), std::end(kFalse), s) != std::end(kFalse)) {
    *out = false;
    return true;
  }
  return false;
}

bool FlagValues::is_set(std::string_view name) const { return values_.find(name) != values_.end(); }

bool FlagValues::get_bool(std::string_view name) const {
  auto it = values_.find(name);
  return it != values_.end() && it->second.back() == "true";
}

std::string FlagValues::get_string(std::string_view name, std::string_view fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::string(fallback) : it->second.back();
}

long long FlagValues::get_int(std::string_view name, long long fallback) const {
  auto it = values_.find(name);
  long long n = fallback;
  if (it != values_.end() && !parse_int64(it->second.back(), &n)) return fallback;
  return n;
}

std::vector<std::string> FlagValues::get_list(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

void FlagValues::add(const std::string& name, std::string value) {
  values_[name].push_back(std::move(value));
}

Result<ParsedArgs> parse_flags(std::span<const FlagSpec> specs, std::span<const std::string> argv,
                               ParseMode mode) {
  ParsedArgs out;
  for (size_t i = 0; i < argv.size();) {
    const std::string& arg = argv[i];
    if (arg == "--") {
      out.args.insert(out.args.end(), argv.begin() + i + 1, argv.end());
      break;
    }
    // "-" alone is a positional argument (conventionally stdin), as in Go.
    if (arg.size() < 2 || arg[0] != '-') {
      if (mode == ParseMode::kStopAtFirstArg) {
        out.args.insert(out.args.end(), argv.begin() + i, argv.end());
        break;
      }
      out.args.push_back(arg);
      ++i;
      continue;
    }
    GROVE_ASSIGN_OR_RETURN(size_t used, parse_one(specs, argv, i, out.flags));
    i += used;
  }
  return out;
}

}  // namespace grove::cli

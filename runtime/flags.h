#pragma once
// Command-line flag parsing with runc's (urfave/cli v1 on Go's `flag` package) rules, so engines
// that drive runc can drive grove with the same argv:
//   --name=value  --name value  -name=value  -name value   (one or two dashes, same meaning)
//   --bool  --bool=true  --bool=false                       (a bool never takes the next arg)
//   --                                                       (ends the flags)
// Error strings match Go's flag package ("flag provided but not defined: -foo"), because users
// and scripts grep for them. Pure: no I/O, no globals.

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"

namespace grove::cli {

enum class FlagKind {
  kBool,        // presence sets true; "=value" accepts Go's strconv.ParseBool spellings
  kString,      // one value; the last occurrence wins
  kStringList,  // repeatable; every occurrence is kept in order (urfave StringSlice)
  kInt,         // a base-10 signed integer; the last occurrence wins
  kUint,        // a base-10 unsigned integer; the last occurrence wins
};

// One flag a verb (or the global level) accepts.
struct FlagSpec {
  std::string name;                  // long name without dashes: "bundle"
  std::vector<std::string> aliases;  // other names, usually one letter: {"b"}
  FlagKind kind = FlagKind::kBool;
  std::string usage;         // help text, lower-case, no trailing period
  std::string default_text;  // shown in help as (default: "..."); "" shows nothing
  bool hidden = false;       // accepted but not listed in help
};

// Shorthands for verb and global flag tables.
FlagSpec bool_flag(std::string name, std::string usage, std::vector<std::string> aliases = {});
// A kString, kStringList, kInt or kUint flag; `default_text` is only shown in help.
FlagSpec value_flag(FlagKind kind, std::string name, std::string usage,
                    std::vector<std::string> aliases = {}, std::string default_text = {});

// The values of one parse. Lookups use the flag's long name; asking for a name that was not
// declared is a programming error and returns the type's zero value.
class FlagValues {
 public:
  // True when the flag appeared on the command line (even as --bool=false).
  bool is_set(std::string_view name) const;
  bool get_bool(std::string_view name) const;
  // The last value, or `fallback` when the flag was not given.
  std::string get_string(std::string_view name, std::string_view fallback = {}) const;
  long long get_int(std::string_view name, long long fallback = 0) const;
  // Every value of a kStringList flag, in command-line order.
  std::vector<std::string> get_list(std::string_view name) const;

  // Used by the parser.
  void add(const std::string& name, std::string value);

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

struct ParsedArgs {
  FlagValues flags;
  std::vector<std::string> args;  // positional arguments, in order
};

enum class ParseMode {
  // Global flags: stop at the first positional argument (the verb); it and everything after it
  // are returned as args untouched.
  kStopAtFirstArg,
  // Verb flags: urfave/cli v1 reorders flags before positionals, so `kill ID SIG --all` works;
  // everything after "--" is positional.
  kInterspersed,
};

// Parses `argv` (without the program or verb name) against `specs`. Errors (code EINVAL), with
// Go's wording: "flag provided but not defined: -x", "flag needs an argument: -x",
// "invalid boolean value \"v\" for -x: parse error", "invalid value \"v\" for flag -x: parse
// error", "bad flag syntax: ---x".
[[nodiscard]] Result<ParsedArgs> parse_flags(std::span<const FlagSpec> specs,
                                             std::span<const std::string> argv, ParseMode mode);

// Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False. False on junk.
bool parse_go_bool(std::string_view s, bool* out);

}  // namespace grove::cli

#pragma once
// The grove CLI: global flags, the verb table and dispatch, runc-compatible.
//
// Adding a verb is one file, runtime/cmd_<verb>.cc, holding its handler and a registration:
//
//   const VerbRegistration kRegister{{
//       .name = "kill",
//       .summary = "kill sends the specified signal (default: SIGTERM) to the container's init",
//       .args_usage = "<container-id> [signal]",
//       .description = "The kill command sends the specified signal ...",
//       .flags = {bool_flag("all", "send the signal to all processes in the container", {"a"})},
//       .args = ArgCount::at_least(1),
//       .handler = run_kill,
//   }};
//
// grove-cli is a CMake OBJECT library, so every cmd_*.o is linked into grove and into the unit
// tests and its registration always runs. A handler parses nothing itself: it reads ctx.flags,
// ctx.args and ctx.global, calls the library, prints results to ctx.out and returns a Status.
// On error dispatch logs message() once at level error (and, with --log FILE, also prints it to
// stderr, as runc's fatal() does) and exits 1, or with ctx.exit_code when the handler set it.

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/base/result.h"
#include "runtime/flags.h"
#include "runtime/log.h"

namespace grove::cli {

// The global options (before the verb), with their defaults already applied.
struct GlobalOptions {
  std::string root;      // --root; /run/grove, or $XDG_RUNTIME_DIR/grove when rootless
  std::string log_path;  // --log; "" = stderr
  LogFormat log_format = LogFormat::kText;
  bool debug = false;             // --debug
  bool systemd_cgroup = false;    // --systemd-cgroup
  std::string rootless = "auto";  // --rootless true|false|auto
  std::string criu = "criu";      // --criu: accepted for runc compatibility, ignored
};

// What a handler gets. Streams and logger outlive the call.
struct Context {
  const GlobalOptions& global;
  const FlagValues& flags;               // the verb's flags
  const std::vector<std::string>& args;  // the verb's positional arguments
  std::ostream& out;                     // stdout: results (JSON documents, tables)
  std::ostream& err;                     // stderr
  Logger& log;                           // --debug lines; never log the returned error
  // Set by a handler whose exit code is not just 0/1 (run and exec: the process's own code;
  // exec failures: 255). Dispatch exits with it whether the handler succeeded or returned an
  // error (the error is still logged once); unset = 0 on success, 1 on error.
  std::optional<int> exit_code;
};

// How many positional arguments a verb takes; checked before the handler runs, with runc's
// messages (`grove: "state" requires exactly 1 argument(s)`).
struct ArgCount {
  enum class Kind { kAny, kExactly, kAtLeast, kAtMost };
  Kind kind = Kind::kAny;
  int n = 0;
  static ArgCount any() { return {}; }
  static ArgCount exactly(int n) { return {Kind::kExactly, n}; }
  static ArgCount at_least(int n) { return {Kind::kAtLeast, n}; }
  static ArgCount at_most(int n) { return {Kind::kAtMost, n}; }
};

struct Verb {
  std::string name;
  std::vector<std::string> aliases;  // listed as "name, alias" in help
  std::string summary;               // one line for the COMMANDS list, lower-case, no period
  std::string args_usage;            // after "grove VERB [command options]"; "" = "[arguments...]"
  std::string description;           // free text for `grove VERB --help`; may be multi-line
  std::vector<FlagSpec> flags;       // --help/-h is added by the framework
  ArgCount args;
  // Like runc's exec (urfave SkipArgReorder): flags end at the first positional argument, so
  // `exec ID sh -c x` passes "-c" to the process.
  bool flags_before_args_only = false;
  bool hidden = false;  // not listed in `grove help` (internal or test verbs); still runs
  std::function<Status(Context&)> handler;
};

// Adds `verb` to the table at static-initialisation time; a duplicate name aborts at startup.
struct VerbRegistration {
  explicit VerbRegistration(Verb verb);
};

// Every registered verb, sorted by name. Valid after static initialisation.
const std::vector<Verb>& verbs();
// The verb named (or aliased) `name`, or nullptr.
const Verb* find_verb(std::string_view name);

// The global flags grove accepts (also rendered by `grove --help` and documented in grove(8)).
const std::vector<FlagSpec>& global_flags();

// Runs the CLI: `args` is argv without argv[0]. Writes results and help to `out`; logs (and
// errors when --log is not given) to `err`. Returns the process exit code: 0 on success, 1 on a
// usage error (unknown verb or flag, wrong argument count) or a failed verb, or the code the
// verb set in Context::exit_code.
int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
// The same for main(): argv[0] is skipped.
int run(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace grove::cli

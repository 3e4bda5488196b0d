// Global flags, the verb registry and dispatch. Behaviour follows runc 1.1.5 (urfave/cli v1):
// see the comments at each usage error for what runc prints.

#include "runtime/cli.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>

#include "libcontainer/base/strings.h"
#include "libcontainer/container/rootless.h"
#include "libcontainer/sys/linux_ops.h"
#include "runtime/help.h"

namespace grove::cli {
namespace {

std::vector<Verb>& registry() {
  // Function-local so registrations from other translation units never see it unconstructed.
  static std::vector<Verb> table;
  return table;
}

// runc (shouldHonorXDGRuntimeDir): /run/runc, or $XDG_RUNTIME_DIR/runc for a non-root user that
// has one, and for uid 0 of a user namespace (rootless podman) unless $USER is "root".
std::string default_root() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (xdg == nullptr || *xdg == '\0') return "/run/grove";
  std::string xdg_root = std::string(xdg) + "/grove";
  if (::geteuid() != 0) return xdg_root;
  sys::LinuxOps ops;
  if (!container::in_user_namespace(ops)) return "/run/grove";
  const char* user = std::getenv("USER");
  return user == nullptr || std::string_view(user) != "root" ? xdg_root : "/run/grove";
}

const FlagSpec kHelpFlag = bool_flag("help", "show help", {"h"});

Result<std::string> parse_rootless(const std::string& value) {
  if (value == "auto") return value;
  bool b = false;
  if (!parse_go_bool(value, &b)) {
    return Error::invalid("invalid --rootless value " + q(value) + ": want true, false or auto");
  }
  return std::string(b ? "true" : "false");
}

Result<GlobalOptions> make_global_options(const FlagValues& flags) {
  GlobalOptions g;
  g.root = flags.get_string("root", default_root());
  g.log_path = flags.get_string("log");
  GROVE_ASSIGN_OR_RETURN(g.log_format, parse_log_format(flags.get_string("log-format", "text")));
  g.debug = flags.get_bool("debug");
  g.systemd_cgroup = flags.get_bool("systemd-cgroup");
  GROVE_ASSIGN_OR_RETURN(g.rootless, parse_rootless(flags.get_string("rootless", "auto")));
  g.criu = flags.get_string("criu", "criu");
  return g;
}

Result<Logger> make_logger(const GlobalOptions& g, std::ostream& err) {
  // runc treats "--log /dev/stderr" (its documented default) as "no log file".
  if (g.log_path.empty() || g.log_path == "/dev/stderr") return Logger(err, g.log_format, g.debug);
  return Logger::open_file(g.log_path, g.log_format, g.debug);
}

// runc's fatal(): the error goes to the logger once; when the logger is a file, the plain message
// also goes to stderr so a person at a terminal (and conmon, which reads stderr) sees it.
int fail(Logger& log, std::ostream& err, const Error& e) {
  std::string msg = e.message();
  log.error(msg);
  if (log.to_file()) err << msg << "\n" << std::flush;
  return 1;
}

Status check_arg_count(const Verb& verb, size_t have) {
  const ArgCount& c = verb.args;
  size_t n = static_cast<size_t>(c.n);
  const char* rule = nullptr;
  if (c.kind == ArgCount::Kind::kExactly && have != n) rule = "exactly";
  if (c.kind == ArgCount::Kind::kAtLeast && have < n) rule = "a minimum of";
  if (c.kind == ArgCount::Kind::kAtMost && have > n) rule = "a maximum of";
  if (rule == nullptr) return ok();
  // runc's checkArgs wording: `runc: "state" requires exactly 1 argument(s)`.
  return Error::invalid("grove: " + q(verb.name) + " requires " + rule + " " + std::to_string(c.n) +
                        " argument(s)");
}

// Runs one verb: parse its flags, check the argument count, call the handler.
int dispatch(const GlobalOptions& global, std::span<const std::string> args, std::ostream& out,
             std::ostream& err, Logger& log) {
  const Verb* verb = find_verb(args[0]);
  if (verb == nullptr) {
    // runc prints the same text (plus a stray "\n") and exits 3; we exit 1 like every other
    // usage error.
    return fail(log, err, Error::invalid("No help topic for '" + args[0] + "'"));
  }
  std::vector<FlagSpec> specs = verb->flags;
  specs.push_back(kHelpFlag);
  ParseMode mode =
      verb->flags_before_args_only ? ParseMode::kStopAtFirstArg : ParseMode::kInterspersed;
  auto parsed = parse_flags(specs, args.subspan(1), mode);
  if (!parsed) {
    // runc prints "Incorrect Usage: <err>" and the verb's help to stdout, then logs the error.
    out << "Incorrect Usage: " << parsed.error().message() << "\n\n";
    print_verb_help(out, *verb);
    return fail(log, err, parsed.error());
  }
  if (parsed->flags.get_bool("help")) {
    print_verb_help(out, *verb);
    return 0;
  }
  if (Status st = check_arg_count(*verb, parsed->args.size()); !st) {
    out << "Incorrect Usage.\n\n";
    print_verb_help(out, *verb);
    return fail(log, err, st.error());
  }
  log.debug("grove " + verb->name + ": root " + q(global.root) + ", " +
            std::to_string(parsed->args.size()) + " argument(s)");
  Context ctx{global, parsed->flags, parsed->args, out, err, log};
  Status st = verb->handler(ctx);
  int code = st ? 0 : fail(log, err, st.error());
  return ctx.exit_code.value_or(code);
}

}  // namespace

VerbRegistration::VerbRegistration(Verb verb) {
  if (find_verb(verb.name) != nullptr) {
    std::fprintf(stderr, "grove: verb %s registered twice\n", verb.name.c_str());
    std::abort();
  }
  std::vector<Verb>& table = registry();
  auto pos = std::lower_bound(table.begin(), table.end(), verb.name,
                              [](const Verb& v, const std::string& n) { return v.name < n; });
  table.insert(pos, std::move(verb));
}

const std::vector<Verb>& verbs() { return registry(); }

const Verb* find_verb(std::string_view name) {
  for (const Verb& v : registry()) {
    if (v.name == name) return &v;
    if (std::find(v.aliases.begin(), v.aliases.end(), name) != v.aliases.end()) return &v;
  }
  return nullptr;
}

const std::vector<FlagSpec>& global_flags() {
  // Order and wording follow `runc --help`.
  static const std::vector<FlagSpec> flags = {
      bool_flag("debug", "enable debug logging"),
      value_flag(FlagKind::kString, "log",
                 "set the log file to write grove logs to (default is '/dev/stderr')"),
      value_flag(FlagKind::kString, "log-format",
                 "set the log format ('text' (default), or 'json')", {}, "text"),
      value_flag(FlagKind::kString, "root",
                 "root directory for storage of container state (this should be located in "
                 "tmpfs)",
                 {}, default_root()),
      value_flag(FlagKind::kString, "criu",
                 "accepted for runc compatibility and ignored: grove has no checkpoint/restore", {},
                 "criu"),
      bool_flag("systemd-cgroup",
                "enable systemd cgroup support (accepted; grove has no systemd cgroup driver "
                "yet)"),
      value_flag(FlagKind::kString, "rootless",
                 "ignore cgroup permission errors ('true', 'false', or 'auto')", {}, "auto"),
      bool_flag("help", "show help", {"h"}),
      bool_flag("version", "print the version", {"v"}),
  };
  return flags;
}

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  // Until --log and --log-format are known, problems are reported as text on stderr (runc too).
  Logger early(err, LogFormat::kText, false);
  auto parsed = parse_flags(global_flags(), args, ParseMode::kStopAtFirstArg);
  if (!parsed) {
    out << "Incorrect Usage. " << parsed.error().message() << "\n\n";
    print_app_help(out);
    return fail(early, err, parsed.error());
  }
  if (parsed->flags.get_bool("help")) {
    print_app_help(out);
    return 0;
  }
  if (parsed->flags.get_bool("version")) {
    print_version(out);
    return 0;
  }
  auto global = make_global_options(parsed->flags);
  if (!global) return fail(early, err, global.error());
  auto log = make_logger(*global, err);
  if (!log) return fail(early, err, log.error());
  if (parsed->args.empty()) {
    print_app_help(out);  // runc with no verb: help, exit 0
    return 0;
  }
  return dispatch(*global, parsed->args, out, err, *log);
}

int run(int argc, char** argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return run(args, out, err);
}

}  // namespace grove::cli

// `grove help [VERB]` (alias `h`): the app help, or one verb's help.

#include "runtime/cli.h"
#include "runtime/help.h"

namespace grove::cli {
namespace {

Status run_help(Context& ctx) {
  if (ctx.args.empty()) {
    print_app_help(ctx.out);
    return ok();
  }
  const Verb* verb = find_verb(ctx.args[0]);
  // urfave/cli's wording, which runc prints for `runc help nope` and `runc nope`.
  if (verb == nullptr) return Error::invalid("No help topic for '" + ctx.args[0] + "'");
  print_verb_help(ctx.out, *verb);
  return ok();
}

const VerbRegistration kRegister{{
    .name = "help",
    .aliases = {"h"},
    .summary = "Shows a list of commands or help for one command",
    .args_usage = "[command]",
    .description = {},
    .flags = {},
    .args = ArgCount::at_most(1),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_help,
}};

}  // namespace
}  // namespace grove::cli

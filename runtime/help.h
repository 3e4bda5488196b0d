#pragma once
// Help and version text in urfave/cli v1's layout (what `runc --help` prints), so people and
// scripts used to runc find things where they expect them. Keep man/grove*.8 in step.

#include <ostream>
#include <span>
#include <string>

#include "runtime/cli.h"
#include "runtime/flags.h"

namespace grove::cli {

// `grove --version`: "grove version X\ncommit: SHA\nspec: 1.3.0\n" from grove/version.h. go-runc
// and CRI-O parse the "commit: " and "spec: " lines.
void print_version(std::ostream& out);

// `grove`, `grove help`, `grove --help`: NAME, USAGE, VERSION, COMMANDS, GLOBAL OPTIONS.
void print_app_help(std::ostream& out);

// `grove help VERB`, `grove VERB --help`: NAME, USAGE, DESCRIPTION, OPTIONS.
void print_verb_help(std::ostream& out, const Verb& verb);

// The aligned option lines ("   --bundle value, -b value  path to ...") for visible flags.
std::string render_flags(std::span<const FlagSpec> flags);

}  // namespace grove::cli

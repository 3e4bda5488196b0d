// Help text rendering (urfave/cli v1 AppHelpTemplate / CommandHelpTemplate layout).

#include "runtime/help.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "grove/version.h"

namespace grove::cli {
namespace {

constexpr const char* kAppDescription =
    "grove is a command line client for running applications packaged according to\n"
    "the Open Container Initiative (OCI) format. It takes the same verbs, flags and\n"
    "log formats as runc, so container engines can drive it unchanged.\n"
    "\n"
    "Containers are configured using bundles. A bundle for a container is a directory\n"
    "that includes a specification file named \"config.json\" and a root filesystem.\n"
    "Run \"grove spec\" in an empty directory to write a starter config.json.";

// "--bundle value, -b value" or "--rootless": one or two dashes by name length, as urfave does.
std::string flag_names(const FlagSpec& f) {
  std::string out;
  auto add = [&](const std::string& name) {
    if (!out.empty()) out += ", ";
    out += (name.size() == 1 ? "-" : "--") + name;
    if (f.kind != FlagKind::kBool) out += " value";
  };
  add(f.name);
  for (const std::string& alias : f.aliases) add(alias);
  return out;
}

// Two-column rows, the first column padded to the widest entry plus two spaces (tabwriter).
std::string render_rows(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& [left, right] : rows) width = std::max(width, left.size());
  std::string out;
  for (const auto& [left, right] : rows) {
    out += "   " + left + std::string(width - left.size() + 2, ' ') + right + "\n";
  }
  return out;
}

// Indents every line by three spaces. (urfave indents only the first line of a description;
// indenting all of them reads better and no tool parses help text.)
std::string indent(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && c != '\n') out += "   ";  // no trailing blanks on empty lines
    out += c;
    line_start = c == '\n';
  }
  return out;
}

}  // namespace

void print_version(std::ostream& out) {
  out << "grove version " << kVersion << "\n"
      << "commit: " << kCommit << "\n"
      << "spec: " << kSpecVersion << "\n";
}

std::string render_flags(std::span<const FlagSpec> flags) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const FlagSpec& f : flags) {
    if (f.hidden) continue;
    std::string usage = f.usage;
    if (!f.default_text.empty()) usage += " (default: \"" + f.default_text + "\")";
    rows.emplace_back(flag_names(f), std::move(usage));
  }
  return render_rows(rows);
}

void print_app_help(std::ostream& out) {
  out << "NAME:\n   grove - Open Container Initiative runtime\n\n"
      << kAppDescription << "\n\n"
      << "USAGE:\n   grove [global options] command [command options] [arguments...]\n\n"
      << "VERSION:\n   " << kVersion << "\ncommit: " << kCommit << "\nspec: " << kSpecVersion
      << "\n\nCOMMANDS:\n";
  // Verbs by name, with help last as urfave lists it.
  std::vector<std::pair<std::string, std::string>> rows;
  const Verb* help = nullptr;
  for (const Verb& v : verbs()) {
    if (v.hidden) continue;
    if (v.name == "help") {
      help = &v;
      continue;
    }
    rows.emplace_back(v.name, v.summary);
  }
  if (help != nullptr) {
    std::string names = help->name;
    for (const std::string& a : help->aliases) names += ", " + a;
    rows.emplace_back(names, help->summary);
  }
  out << render_rows(rows) << "\nGLOBAL OPTIONS:\n" << render_flags(global_flags());
}

void print_verb_help(std::ostream& out, const Verb& verb) {
  out << "NAME:\n   grove " << verb.name << " - " << verb.summary << "\n\n"
      << "USAGE:\n   grove " << verb.name << (verb.flags.empty() ? "" : " [command options]") << " "
      << (verb.args_usage.empty() ? "[arguments...]" : verb.args_usage) << "\n";
  if (!verb.description.empty()) out << "\nDESCRIPTION:\n" << indent(verb.description) << "\n";
  if (!verb.flags.empty()) out << "\nOPTIONS:\n" << render_flags(verb.flags);
}

}  // namespace grove::cli

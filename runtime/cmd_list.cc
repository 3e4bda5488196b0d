// `grove list [--format table|json] [--quiet]`: runc's list. The table has runc's columns and
// spacing (Go tabwriter: minimum width 12, padding 3); json is one line holding an array of
// state objects (containerd's go-runc decodes it), `null` when there are none, as runc prints.

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "libcontainer/container/container.h"
#include "libcontainer/sys/linux_ops.h"
#include "oci/state.h"
#include "runtime/cli.h"

namespace grove::cli {
namespace {

constexpr std::size_t kColumns = 6;
using Row = std::array<std::string, kColumns>;

// runc shows the owner's user name (uid of the container's state directory), or the uid.
std::string owner_of(sys::Ops& ops, const std::string& root, const std::string& id) {
  auto st = ops.fstatat(AT_FDCWD, root + "/" + id, AT_SYMLINK_NOFOLLOW);
  if (!st) return "";
  struct passwd pw;
  struct passwd* found = nullptr;
  std::array<char, 1024> buf;
  if (::getpwuid_r(st->st_uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return std::to_string(st->st_uid);
}

oci::State to_state(const container::ContainerInfo& info, std::string owner) {
  const container::ContainerRecord& r = info.record;
  oci::State st;
  st.oci_version = r.oci_version;
  st.id = r.id;
  st.status = *oci::status_from_string(container::to_string(info.state));
  st.pid = info.state == container::RunState::kStopped ? 0 : r.init_pid;
  st.bundle = r.bundle;
  st.annotations = r.annotations;
  st.rootfs = r.rootfs;
  st.created = r.created;
  st.owner = std::move(owner);
  return st;
}

// Go's text/tabwriter with runc's settings (minwidth 12, tabwidth 1, padding 3, ' '): every
// column but the last is padded to max(widest cell + 3, 12).
void print_table(std::ostream& out, const std::vector<Row>& rows) {
  std::array<std::size_t, kColumns> width{};
  for (const Row& row : rows) {
    for (std::size_t c = 0; c + 1 < kColumns; ++c) {
      width[c] = std::max({width[c], row[c].size() + 3, std::size_t{12}});
    }
  }
  for (const Row& row : rows) {
    std::string line;
    for (std::size_t c = 0; c + 1 < kColumns; ++c) {
      line += row[c];
      line.append(width[c] - row[c].size(), ' ');
    }
    out << line << row[kColumns - 1] << "\n";
  }
}

Status run_list(Context& ctx) {
  std::string format = ctx.flags.get_string("format", "table");
  if (format != "table" && format != "json") return Error::invalid("invalid format option");
  sys::LinuxOps ops;
  GROVE_ASSIGN_OR_RETURN(auto all, container::list(ops, ctx.global.root));
  if (ctx.flags.get_bool("quiet")) {
    for (const container::ContainerInfo& c : all) ctx.out << c.record.id << "\n";
    return ok();
  }
  std::vector<oci::State> states;
  for (const container::ContainerInfo& c : all) {
    states.push_back(to_state(c, owner_of(ops, ctx.global.root, c.record.id)));
  }
  if (format == "json") {
    if (states.empty()) {
      ctx.out << "null\n";  // Go marshals runc's nil slice as null
      return ok();
    }
    std::string doc = "[";
    for (const oci::State& s : states) {
      if (doc.size() > 1) doc += ",";
      doc += oci::to_json_string(s, false);
    }
    ctx.out << doc << "]\n";
    return ok();
  }
  std::vector<Row> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
  for (const oci::State& s : states) {
    rows.push_back({s.id, std::to_string(s.pid), std::string(oci::to_string(s.status)), s.bundle,
                    s.created, s.owner});
  }
  print_table(ctx.out, rows);
  return ok();
}

const VerbRegistration kRegister{{
    .name = "list",
    .aliases = {},
    .summary = "lists containers started by grove with the given root",
    .args_usage = "",
    .description = "Where the given root is specified via the global option \"--root\"\n"
                   "(default: \"/run/grove\").\n"
                   "\n"
                   "To list containers created via the default \"--root\":\n"
                   "       # grove list\n"
                   "\n"
                   "To list containers created using a non-default value for \"--root\":\n"
                   "       # grove --root value list",
    .flags = {value_flag(FlagKind::kString, "format", "select one of: table or json", {"f"},
                         "table"),
              bool_flag("quiet", "display only container IDs", {"q"})},
    .args = ArgCount::exactly(0),
    .flags_before_args_only = false,
    .hidden = false,
    .handler = run_list,
}};

}  // namespace
}  // namespace grove::cli

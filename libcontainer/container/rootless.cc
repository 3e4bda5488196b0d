#include "libcontainer/container/rootless.h"

#include <fcntl.h>
#include <unistd.h>

#include <sstream>
#include <string>

namespace grove::container {

bool is_initial_uid_map(std::string_view uid_map) {
  std::istringstream in{std::string(uid_map)};
  unsigned long long inside = 1, outside = 1, count = 0;
  if (!(in >> inside >> outside >> count)) return false;
  unsigned long long extra = 0;
  if (in >> extra) return false;  // more than one line: a user namespace's map
  return inside == 0 && outside == 0 && count == 4294967295ULL;
}

bool in_user_namespace(sys::Ops& ops) {
  auto text = ops.read_file_at(AT_FDCWD, "/proc/self/uid_map");
  if (!text) return false;
  return !is_initial_uid_map(*text);
}

bool is_rootless(sys::Ops& ops, std::string_view flag) {
  if (flag == "true") return true;
  if (flag == "false") return false;
  return ::geteuid() != 0 || in_user_namespace(ops);
}

}  // namespace grove::container

#pragma once
// HOME for a container process whose process.env has none: runc sets it from the container's
// own /etc/passwd entry for process.user.uid (its user lookup runs in the init after the root
// switch), falling back to "/" when the file is missing, unreadable or has no entry for the uid.
// runc 1.2+ (prepareEnv) treats any HOME entry, even "HOME=", as set; so does grove.

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/sys/ops.h"

namespace grove::process {

// The home field of the first well-formed line of an /etc/passwd text
// ("name:password:uid:gid:gecos:home:shell") whose uid is `uid`; nullopt when none. Lines with
// fewer than 6 fields or a non-numeric uid are skipped, as runc's parser (moby/sys/user) does.
// Pure.
std::optional<std::string> passwd_home(std::string_view passwd, uid_t uid);

// Whether `env` ("KEY=value" list) has a HOME entry (any value). Pure.
bool has_home(const std::vector<std::string>& env);

// The home directory for `uid` from "/etc/passwd" of the caller's root (call it after the root
// switch, in the container's mount namespace): opened with open_in_root from "/" (openat2
// RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS, the component walk when openat2 is ENOSYS), so a
// symlinked /etc/passwd cannot reach through a magic link. "/" when the file cannot be opened or
// read (runc ignores those errors too), is over 4 MiB, or has no entry for `uid`. Never fails.
std::string lookup_home(sys::Ops& ops, uid_t uid);

// `env` with "HOME=<lookup_home(uid)>" appended when it has no HOME entry; unchanged otherwise
// (no file is read then).
std::vector<std::string> env_with_home(sys::Ops& ops, std::vector<std::string> env, uid_t uid);

}  // namespace grove::process

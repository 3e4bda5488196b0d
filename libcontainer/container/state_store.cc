#include "libcontainer/container/state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "libcontainer/base/strings.h"
#include "libcontainer/sys/fault.h"

namespace grove::container {
namespace {

constexpr const char* kStateFile = "state.json";
constexpr const char* kLockFile = "lock";

bool id_char_ok(char c) {
  // \w is [A-Za-z0-9_]; runc's "+-\." inside a class is the range '+'..'.' = "+,-.".
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (c >= '+' && c <= '.');
}

bool is_errno(const Status& st, int code) { return !st && st.error().code() == code; }

Status mkdir_p(sys::Ops& ops, const std::string& path, mode_t mode) {
  std::string cur;
  for (const std::string& part : split(path, '/')) {
    if (part.empty()) continue;
    cur += "/" + part;
    if (Status st = ops.mkdirat(AT_FDCWD, cur, mode); !st && st.error().code() != EEXIST) {
      return st;
    }
  }
  return ok();
}

// The record keeps config.json's hook shape ({"poststop": [{"path", "args", "env", "timeout"}]}),
// only the kinds that are set.
constexpr std::pair<const char*, std::vector<oci::Hook> oci::Hooks::*> kHookLists[] = {
    {"prestart", &oci::Hooks::prestart},
    {"createRuntime", &oci::Hooks::create_runtime},
    {"createContainer", &oci::Hooks::create_container},
    {"startContainer", &oci::Hooks::start_container},
    {"poststart", &oci::Hooks::poststart},
    {"poststop", &oci::Hooks::poststop},
};

nlohmann::json hooks_to_json(const oci::Hooks& hooks) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, member] : kHookLists) {
    for (const oci::Hook& h : hooks.*member) {
      nlohmann::json j = {{"path", h.path}};
      if (!h.args.empty()) j["args"] = h.args;
      if (!h.env.empty()) j["env"] = h.env;
      if (h.timeout) j["timeout"] = *h.timeout;
      out[name].push_back(std::move(j));
    }
  }
  return out;
}

// Throws nlohmann::json::exception on a type mismatch (record_from_json catches).
oci::Hooks hooks_from_json(const nlohmann::json& j) {
  oci::Hooks hooks;
  for (const auto& [name, member] : kHookLists) {
    if (!j.contains(name)) continue;
    for (const nlohmann::json& e : j.at(name)) {
      oci::Hook h;
      h.path = e.at("path").get<std::string>();
      h.args = e.value("args", std::vector<std::string>{});
      h.env = e.value("env", std::vector<std::string>{});
      if (e.contains("timeout")) h.timeout = e.at("timeout").get<int32_t>();
      (hooks.*member).push_back(std::move(h));
    }
  }
  return hooks;
}

}  // namespace

std::string record_to_json(const ContainerRecord& r) {
  nlohmann::json j = {
      {"ociVersion", r.oci_version},
      {"id", r.id},
      {"phase", r.phase},
      {"paused", r.paused},
      {"pid", r.init_pid},
      {"pidStartTime", r.init_start_time},
      {"bundle", r.bundle},
      {"rootfs", r.rootfs},
      {"configPath", r.config_path},
      {"created", r.created},
      {"mountStrategy", r.mount_strategy},
      {"cgroupPath", r.cgroup_path},
      {"cgroupDirs", r.cgroup_dirs},
      {"ownPidNamespace", r.own_pid_ns},
      {"annotations", r.annotations},
  };
  if (!r.image_cache.empty()) {
    j["imageCache"] = r.image_cache;
    j["imageLayers"] = r.image_layers;
  }
  if (r.hooks != oci::Hooks{}) j["hooks"] = hooks_to_json(r.hooks);
  if (!r.rdt_dir.empty()) {
    j["intelRdt"] = {{"dir", r.rdt_dir}, {"created", r.rdt_created}, {"monDir", r.rdt_mon_dir}};
  }
  return j.dump(2) + "\n";
}

Result<ContainerRecord> record_from_json(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Error::invalid("state.json: not a JSON object");
  // nlohmann throws on type mismatches; our code throws nothing, so catch at this boundary.
  try {
    ContainerRecord r;
    r.oci_version = j.value("ociVersion", "");
    r.id = j.at("id").get<std::string>();
    r.phase = j.value("phase", "creating");
    r.paused = j.value("paused", false);
    r.init_pid = j.value("pid", 0);
    r.init_start_time = j.value("pidStartTime", uint64_t{0});
    r.bundle = j.value("bundle", "");
    r.rootfs = j.value("rootfs", "");
    r.config_path = j.value("configPath", "");
    r.created = j.value("created", "");
    r.mount_strategy = j.value("mountStrategy", "");
    r.cgroup_path = j.value("cgroupPath", "");
    if (j.contains("cgroupDirs")) {
      r.cgroup_dirs = j.at("cgroupDirs").get<std::map<std::string, std::string>>();
    }
    r.own_pid_ns = j.value("ownPidNamespace", false);
    if (j.contains("annotations")) {
      r.annotations = j.at("annotations").get<std::map<std::string, std::string>>();
    }
    if (j.contains("hooks")) r.hooks = hooks_from_json(j.at("hooks"));
    if (j.contains("intelRdt")) {
      const nlohmann::json& rdt = j.at("intelRdt");
      r.rdt_dir = rdt.at("dir").get<std::string>();
      r.rdt_created = rdt.value("created", false);
      r.rdt_mon_dir = rdt.value("monDir", "");
    }
    r.image_cache = j.value("imageCache", "");
    if (j.contains("imageLayers")) {
      r.image_layers = j.at("imageLayers").get<std::vector<std::string>>();
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Error::invalid(std::string("state.json: ") + e.what());
  }
}

Status validate_id(std::string_view id) {
  bool good =
      !id.empty() && id != "." && id != ".." && std::all_of(id.begin(), id.end(), id_char_ok);
  if (!good) return Error::invalid("invalid container ID format: " + q(id));
  // <root>/.cache holds the compiled seccomp filters (security/seccomp_cache.cc): never a
  // container's state directory, so no verb may create or remove it as one.
  if (id == kCacheDirName) {
    return Error::invalid("invalid container ID format: " + q(id) +
                          " (reserved: grove's filter cache under the state root)");
  }
  return ok();
}

Error exists_error(std::string_view id) {
  return Error::plain(EEXIST, "container with given ID already exists: " + q(id));
}

Error not_exist_error(std::string_view id) {
  return Error::plain(ENOENT, "container " + q(id) + " does not exist");
}

StateStore::StateStore(sys::Ops& ops, std::string root) : ops_(&ops), root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string StateStore::dir(std::string_view id) const { return root_ + "/" + std::string(id); }

// Undoes a half-built directory of create(): its lock file, then the directory.
void StateStore::discard_dir(const std::string& d) const {
  (void)ops_->unlinkat(AT_FDCWD, d + "/" + kLockFile, 0);
  (void)ops_->unlinkat(AT_FDCWD, d, AT_REMOVEDIR);
}

Result<Lock> StateStore::create(std::string_view id) {
  GROVE_TRY(validate_id(id));
  GROVE_TRY(mkdir_p(*ops_, root_, 0700));
  const std::string d = dir(id);
  // The directory is built under a private name and renamed into place with its lock already
  // held. Creating <root>/<id> first left a window (mkdir .. open .. flock) in which a
  // concurrent lock() (delete, kill) could open and flock the new lock file before us, find no
  // state.json and remove the container being created under it.
  const std::string tmp = root_ + "/.tmp-" + std::to_string(ops_->getpid());
  if (Status made = ops_->mkdirat(AT_FDCWD, tmp, 0711); !made) {
    if (made.error().code() != EEXIST) return made.error();
    discard_dir(tmp);  // left by a crashed grove that had our pid: nobody else can own it
    GROVE_TRY(ops_->mkdirat(AT_FDCWD, tmp, 0711));
  }
  Result<Lock> lock = lock_new_dir(tmp);
  if (!lock) {
    discard_dir(tmp);
    return lock;
  }
  if (Status st = ops_->renameat2(AT_FDCWD, tmp, AT_FDCWD, d, RENAME_NOREPLACE); !st) {
    discard_dir(tmp);
    // Concurrent creates of one id: exactly one rename wins, the others see EEXIST.
    if (st.error().code() == EEXIST) return exists_error(id);
    return std::move(st).error();
  }
  return lock;
}

// The lock file of a directory being created, made and locked.
Result<Lock> StateStore::lock_new_dir(const std::string& tmp) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops_->openat(AT_FDCWD, tmp + "/" + kLockFile,
                                                   O_RDWR | O_CREAT | O_EXCL, 0600));
  GROVE_TRY(ops_->flock(fd.get(), LOCK_EX));
  return Lock(std::move(fd));
}

Result<Lock> StateStore::lock(std::string_view id) {
  GROVE_TRY(validate_id(id));
  std::string lock_path = dir(id) + "/" + kLockFile;
  auto fd = ops_->openat(AT_FDCWD, lock_path, O_RDWR, 0);
  if (!fd) {
    int code = fd.error().code();
    if (code == ENOENT || code == ENOTDIR) return not_exist_error(id);
    return std::move(fd).error();
  }
  GROVE_TRY(ops_->flock(fd->get(), LOCK_EX));
  // remove() unlinks the lock file while holding it: a zero link count means the container we
  // waited for was deleted meanwhile.
  GROVE_ASSIGN_OR_RETURN(struct stat st, ops_->fstat(fd->get()));
  if (st.st_nlink == 0) return not_exist_error(id);
  return Lock(std::move(*fd));
}

Status StateStore::save(const ContainerRecord& record) {
  std::string d = dir(record.id);
  std::string tmp = d + "/." + kStateFile + ".tmp";
  std::string final_path = d + "/" + kStateFile;
  {
    GROVE_ASSIGN_OR_RETURN(UniqueFd fd,
                           ops_->openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600));
    GROVE_TRY(ops_->write(fd.get(), record_to_json(record)));
  }
  // No fsync of the file or the directory: the rename alone makes the replacement atomic for
  // every reader, and durability across a power loss buys nothing for runtime state (the
  // containers it describes do not survive a reboot, and /run is normally a tmpfs). runc and
  // crun do not fsync state.json either. On a disk-backed root the two fsyncs per save were ~40%
  // of the context switches of `grove run` (journal commit, flush, discard waits).
  //
  // The new record is swapped in with RENAME_EXCHANGE and the old one (now under the tmp name)
  // unlinked, instead of rename() over it: on ext4 (a disk-backed /run) a rename that replaces
  // an existing file forces block allocation and writeback of the new file (auto_da_alloc), and
  // the replaced file's blocks are then freed (a synchronous discard with -o discard). Swapped
  // and unlinked, a short-lived record never reaches the disk. Readers see the old or the new
  // file, never neither. The first save (nothing to swap with) and file systems without
  // RENAME_EXCHANGE use rename().
  Status swapped = ops_->renameat2(AT_FDCWD, tmp, AT_FDCWD, final_path, RENAME_EXCHANGE);
  if (swapped) {
    Status gone = ops_->unlinkat(AT_FDCWD, tmp, 0);
    return is_errno(gone, ENOENT) ? ok() : gone;
  }
  Status st = swapped;
  if (is_errno(swapped, ENOENT) || is_errno(swapped, EINVAL)) {
    st = ops_->renameat2(AT_FDCWD, tmp, AT_FDCWD, final_path, 0);
  }
  if (!st) (void)ops_->unlinkat(AT_FDCWD, tmp, 0);
  return st;
}

Result<ContainerRecord> StateStore::load(std::string_view id) const {
  GROVE_TRY(validate_id(id));
  std::string path = dir(id) + "/" + kStateFile;
  auto text = ops_->read_file_at(AT_FDCWD, path);
  if (!text) {
    int code = text.error().code();
    if (code == ENOENT || code == ENOTDIR) return not_exist_error(id);
    return std::move(text).error();
  }
  return record_from_json(*text).context([&] { return "load " + q(path); });
}

Result<std::vector<std::string>> StateStore::list() const {
  auto names = ops_->list_dir(AT_FDCWD, root_);
  if (!names) {
    if (names.error().code() == ENOENT) return std::vector<std::string>{};
    return std::move(names).error();
  }
  std::vector<std::string> ids;
  for (std::string& name : *names) {
    if (!validate_id(name)) continue;
    if (ops_->fstatat(AT_FDCWD, dir(name) + "/" + kStateFile, 0)) ids.push_back(std::move(name));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

void StateStore::sweep_stale_tmp() const {
  auto names = ops_->list_dir(AT_FDCWD, root_);
  if (!names) return;
  for (const std::string& name : *names) {
    long long pid = 0;
    if (!name.starts_with(".tmp-") || !parse_int64(std::string_view(name).substr(5), &pid) ||
        pid <= 0) {
      continue;
    }
    // A live pid may be a create in progress (or an unrelated process that reused the pid of a
    // dead create: its directory then waits for the next sweep).
    if (is_errno(ops_->kill(static_cast<pid_t>(pid), 0), ESRCH)) discard_dir(root_ + "/" + name);
  }
}

Status StateStore::remove(std::string_view id, Lock& lock) {
  (void)lock;  // held by the caller; proves the caller serialised with everyone else
  GROVE_TRY(validate_id(id));
  std::string d = dir(id);
  auto dfd = ops_->openat(AT_FDCWD, d, O_RDONLY | O_DIRECTORY, 0);
  if (!dfd) {
    if (dfd.error().code() == ENOENT) return not_exist_error(id);
    return std::move(dfd).error();
  }
  GROVE_ASSIGN_OR_RETURN(std::vector<std::string> names, ops_->list_dir(dfd->get(), ""));
  // The lock file goes last so waiters only see "deleted" once everything else is gone.
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    return (a == kLockFile) < (b == kLockFile) || ((a == kLockFile) == (b == kLockFile) && a < b);
  });
  for (const std::string& name : names) {
    Status st = ops_->unlinkat(dfd->get(), name, 0);
    // An image root's mount points are (empty, unmounted by now) directories.
    if (is_errno(st, EISDIR)) st = ops_->unlinkat(dfd->get(), name, AT_REMOVEDIR);
    if (!st && st.error().code() != ENOENT) return std::move(st).context("remove " + q(d));
    if (name == kStateFile) GROVE_FAULT_POINT("delete.after-state-unlink");
  }
  Status st = ops_->unlinkat(AT_FDCWD, d, AT_REMOVEDIR);
  return is_errno(st, ENOENT) ? ok() : st;
}

}  // namespace grove::container

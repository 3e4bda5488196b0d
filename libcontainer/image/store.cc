// The image store: OCI layout -> per-layer EROFS images + a JSON record per image. Records are
// written to a temp file and renamed, so a reader never sees half a record.

#include "libcontainer/image/store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "libcontainer/base/strings.h"
#include "libcontainer/base/unique_fd.h"
#include "libcontainer/image/build.h"
#include "libcontainer/image/oci_layout.h"
#include "libcontainer/security/sha256.h"

namespace grove::image {
namespace {

using nlohmann::json;
constexpr long kTmpfsMagic = 0x01021994;
constexpr size_t kChunk = 1 << 20;

Status check_name(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '.' ||
      name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
          std::string::npos) {
    return Error::invalid("image name " + q(name) + " must be 1-128 of [A-Za-z0-9._-], not "
                          "starting with '.'");
  }
  return ok();
}

Status mkdir_p(sys::Ops& ops, int dirfd, const std::string& path) {
  auto r = ops.mkdirat(dirfd, path, 0700);
  if (!r && r.error().code() != EEXIST) return r;
  return ok();
}

// Opens (creating) the store and its two subdirectories; refuses tmpfs.
Result<UniqueFd> open_store(sys::Ops& ops, const std::string& store, bool create) {
  if (create) GROVE_TRY(mkdir_p(ops, AT_FDCWD, store));
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.openat(AT_FDCWD, store, O_RDONLY | O_DIRECTORY, 0));
  GROVE_ASSIGN_OR_RETURN(struct statfs sfs, ops.fstatfs(fd.get()));
  if (static_cast<long>(sfs.f_type) == kTmpfsMagic) {
    return Error::invalid("image store is on tmpfs: file-backed EROFS mounts need a disk "
                          "filesystem (use --store DIR)");
  }
  if (create) {
    GROVE_TRY(mkdir_p(ops, fd.get(), "layers"));
    GROVE_TRY(mkdir_p(ops, fd.get(), "images"));
  }
  return fd;
}

// STORE/lock, flock(LOCK_EX)ed: convert and rm of one store run one at a time, so an rm never
// deletes a layer image a concurrent convert has just decided to reuse (it would then record an
// image whose layer is gone), and two converts never build the same layer side by side. The lock
// goes with the returned fd (also when the process dies).
Result<UniqueFd> lock_store(sys::Ops& ops, int store) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.openat(store, "lock", O_RDWR | O_CREAT, 0600));
  GROVE_TRY(ops.flock(fd.get(), LOCK_EX).context("lock the store"));
  return fd;
}

// Hashes the blob and compares with its digest (the store is content-addressed: never trust
// a file name).
Status verify_blob(sys::Ops& ops, int layout, const std::string& hex) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.openat(layout, "blobs/sha256/" + hex, O_RDONLY, 0));
  security::Sha256 h;
  for (;;) {
    GROVE_ASSIGN_OR_RETURN(std::string c, ops.read(fd.get(), kChunk));
    if (c.empty()) break;
    h.update(c);
  }
  auto d = h.finish();
  static const char kHex[] = "0123456789abcdef";
  std::string got;
  for (uint8_t b : d) got += {kHex[b >> 4], kHex[b & 15]};
  if (got != hex) return Error::from_errno(EIO, "blob sha256:" + hex + " has digest " + got);
  return ok();
}

Result<std::string> read_blob(sys::Ops& ops, int layout, const std::string& digest) {
  GROVE_ASSIGN_OR_RETURN(std::string hex, digest_hex(digest));
  GROVE_TRY(verify_blob(ops, layout, hex));
  return ops.read_file_at(layout, "blobs/sha256/" + hex);
}

Result<Descriptor> resolve_manifest(sys::Ops& ops, int layout, const std::string& ref) {
  GROVE_ASSIGN_OR_RETURN(std::string index, ops.read_file_at(layout, "index.json"));
  GROVE_ASSIGN_OR_RETURN(Descriptor d, pick_manifest(index, ref));
  if (!is_index(d.media_type)) return d;
  GROVE_ASSIGN_OR_RETURN(std::string nested, read_blob(ops, layout, d.digest));
  GROVE_ASSIGN_OR_RETURN(sys::KernelRelease k, ops.uname());
  std::string arch = k.machine == "x86_64" ? "amd64" : k.machine == "aarch64" ? "arm64" : k.machine;
  return pick_platform(nested, arch);
}

Status write_record(sys::Ops& ops, int store, const StoredImage& img) {
  json j = {{"name", img.name}, {"manifest", img.manifest}, {"layers", img.layers}};
  std::string tmp = "images/." + img.name + ".tmp-" + std::to_string(ops.getpid());
  GROVE_ASSIGN_OR_RETURN(UniqueFd fd, ops.openat(store, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600));
  GROVE_TRY(ops.write(fd.get(), j.dump(2) + "\n"));
  GROVE_TRY(ops.fsync(fd.get()));
  return ops.renameat2(store, tmp, store, "images/" + img.name + ".json", 0);
}

Result<StoredImage> read_record(sys::Ops& ops, int store, const std::string& name) {
  GROVE_ASSIGN_OR_RETURN(std::string text, ops.read_file_at(store, "images/" + name + ".json"));
  json j = json::parse(text, nullptr, false);
  StoredImage img;
  if (j.is_discarded() || !j.is_object() || !j["layers"].is_array()) {
    return Error::invalid("image record " + q(name) + " is corrupt");
  }
  img.name = j.value("name", name);
  img.manifest = j.value("manifest", "");
  for (const auto& l : j["layers"]) {
    if (l.is_string()) img.layers.push_back(l.get<std::string>());
  }
  return img;
}

}  // namespace

std::string layer_image_path(const std::string& store, const std::string& digest) {
  std::string hex = digest.substr(digest.find(':') + 1);
  return store + "/layers/" + hex + ".erofs";
}

Result<StoredImage> convert_layout(sys::Ops& ops, const ConvertRequest& req) {
  GROVE_ASSIGN_OR_RETURN(UniqueFd layout,
                         ops.openat(AT_FDCWD, req.layout, O_RDONLY | O_DIRECTORY, 0));
  GROVE_ASSIGN_OR_RETURN(Descriptor man, resolve_manifest(ops, layout.get(), req.ref));
  GROVE_ASSIGN_OR_RETURN(std::string manifest, read_blob(ops, layout.get(), man.digest));
  GROVE_ASSIGN_OR_RETURN(std::vector<Descriptor> layers, manifest_layers(manifest));
  StoredImage img;
  img.manifest = man.digest;
  img.name = !req.name.empty() ? req.name : !req.ref.empty() ? req.ref
             : !man.ref.empty() ? man.ref : man.digest.substr(7, 12);
  GROVE_TRY(check_name(img.name));
  GROVE_ASSIGN_OR_RETURN(UniqueFd store, open_store(ops, req.store, /*create=*/true)
                                             .context([&] { return "store " + q(req.store); }));
  GROVE_ASSIGN_OR_RETURN(UniqueFd lock, lock_store(ops, store.get()));
  for (const Descriptor& l : layers) {
    std::string hex = l.digest.substr(7);
    img.layers.push_back(l.digest);
    if (ops.fstatat(store.get(), "layers/" + hex + ".erofs", 0).has_value()) continue;
    auto built = [&]() -> Status {
      GROVE_TRY(verify_blob(ops, layout.get(), hex));
      BuildRequest b{req.layout + "/blobs/sha256/" + hex, layer_image_path(req.store, l.digest),
                     req.options, /*overlay_whiteouts=*/true};
      auto r = build_image(ops, b);
      if (!r) return std::move(r).error();
      return ok();
    }();
    GROVE_TRY(std::move(built).context([&] { return "layer " + l.digest; }));
  }
  GROVE_TRY(write_record(ops, store.get(), img));
  return img;
}

Result<std::vector<StoredImage>> list_images(sys::Ops& ops, const std::string& store) {
  std::vector<StoredImage> out;
  auto fd = ops.openat(AT_FDCWD, store, O_RDONLY | O_DIRECTORY, 0);
  if (!fd && fd.error().code() == ENOENT) return out;
  if (!fd) return std::move(fd).error();
  auto names = ops.list_dir(fd->get(), "images");
  if (!names && names.error().code() == ENOENT) return out;
  if (!names) return std::move(names).error();
  std::sort(names->begin(), names->end());
  for (const std::string& n : *names) {
    if (n.empty() || n[0] == '.' || n.size() < 6 || n.substr(n.size() - 5) != ".json") continue;
    GROVE_ASSIGN_OR_RETURN(StoredImage img, read_record(ops, fd->get(), n.substr(0, n.size() - 5)));
    out.push_back(std::move(img));
  }
  return out;
}

Status remove_image(sys::Ops& ops, const std::string& store, const std::string& name) {
  GROVE_TRY(check_name(name));
  auto fd = ops.openat(AT_FDCWD, store, O_RDONLY | O_DIRECTORY, 0);
  if (!fd && fd.error().code() == ENOENT) {
    return Error::plain(ENOENT, "image " + q(name) + " does not exist");
  }
  if (!fd) return std::move(fd).error();
  GROVE_ASSIGN_OR_RETURN(UniqueFd lock, lock_store(ops, fd->get()));
  GROVE_ASSIGN_OR_RETURN(std::vector<StoredImage> all, list_images(ops, store));
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& i) { return i.name == name; });
  if (it == all.end()) return Error::plain(ENOENT, "image " + q(name) + " does not exist");
  GROVE_TRY(ops.unlinkat(fd->get(), "images/" + name + ".json", 0));
  std::set<std::string> used;
  for (const StoredImage& other : all) {
    if (other.name != name) used.insert(other.layers.begin(), other.layers.end());
  }
  for (const std::string& l : it->layers) {
    if (used.count(l) != 0) continue;
    auto r = ops.unlinkat(fd->get(), "layers/" + l.substr(l.find(':') + 1) + ".erofs", 0);
    if (!r && r.error().code() != ENOENT) return r;
  }
  return ok();
}

}  // namespace grove::image

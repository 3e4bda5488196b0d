#pragma once
// A container's root from mounted layers: overlayfs with the layers as lower directories
// (top-most first) and a tmpfs, a directory or no upper, attached at `target`; or, for a single
// layer without an upper, a read-only clone of that layer's mount (overlayfs needs two lower
// layers when it has no upper). All syscalls go through sys::Ops; the new mount API only.

#include <string>
#include <vector>

#include "libcontainer/base/result.h"
#include "libcontainer/image/root_spec.h"
#include "libcontainer/sys/ops.h"

namespace grove::image {

struct StackRequest {
  std::vector<std::string> lowers;  // mounted layer directories, top-most first (1..kMaxLayers)
  UpperKind upper = UpperKind::kTmpfs;
  std::string upper_dir;  // kDir: holds upper/ and work/ (created, with upper_dir, if missing)
  std::string target;     // existing empty directory the root is attached on
  // kTmpfs: an existing empty directory the per-container tmpfs is attached on while overlayfs
  // takes its upper/ and work/ (overlayfs keeps its own reference; the tmpfs is detached right
  // after, so only `target` stays mounted).
  std::string scratch;
};

// Mounts the stack on req.target. On failure nothing stays mounted (a tmpfs attached on
// req.scratch is detached again) and the error names the failing call; directories made in
// upper_dir stay. Errors: EINVAL for an empty `lowers`; fsopen ENODEV (no overlay); fsconfig
// EINVAL (the kernel refused a layer: overlayfs logs why); mkdirat/move_mount errno.
[[nodiscard]] Status mount_stack(sys::Ops& ops, const StackRequest& req);

// Detaches what mount_stack left: req.target and, if it is still there, req.scratch. Not
// mounted (EINVAL) or missing (ENOENT) is success, so it can run after any partial create.
[[nodiscard]] Status unmount_stack(sys::Ops& ops, const std::string& target,
                                   const std::string& scratch);

}  // namespace grove::image

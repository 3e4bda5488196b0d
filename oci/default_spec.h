#pragma once
// The bundle config `grove spec` writes: the same document as `runc spec` (runc 1.1.5), with
// ociVersion "1.3.0".

#include <cstdint>

#include "oci/spec.h"

namespace oci {

// `runc spec` (rootless == false) or `runc spec --rootless`. For rootless specs the user
// namespace maps container root to `host_uid`/`host_gid` (size 1): pass geteuid()/getegid(),
// as runc does; they are ignored when rootless is false. Pure; never fails.
Spec default_spec(bool rootless, uint32_t host_uid = 0, uint32_t host_gid = 0);

}  // namespace oci

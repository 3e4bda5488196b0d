# Sourced by scripts/test and scripts/run-demo: installs the Debian packages grove needs, only
# when one is missing (a no-op that costs ~50 ms when everything is there).
# zlib1g-dev: gzip-compressed tar layers for `grove image build` (OCI layers are .tar.gz).
# No libselinux: grove applies labels through /proc and selinuxfs itself (sys/probe.h), and
# linking it cost every verb its constructor and pcre2's relocations (bench/README.md).
GROVE_BUILD_DEPS=(g++ cmake ninja-build pkg-config libmount-dev libcap-dev libseccomp-dev
  nlohmann-json3-dev libgtest-dev libgmock-dev zlib1g-dev)
# uidmap (newuidmap/newgidmap) for grove sandbox with subordinate ids; bubblewrap for the
# sandbox start-up comparison in grove-bench.
# erofs-utils: fsck.erofs/dump.erofs (1.5) as a second, independent reader of grove's images,
# and mkfs.erofs for the layer images of the image-root e2e tests (issue #7).
# umoci: a real tool making OCI image layouts (layers with whiteouts and opaque dirs) for the
# `grove image convert` e2e test (tests/e2e/image_grove_e2e_test.cc, issue #7).
GROVE_TEST_DEPS=(groff-base python3 busybox-static uidmap bubblewrap erofs-utils umoci)
# The engines and peers of the `clients` tests (tests/clients): podman + conmon, containerd,
# crun and runc to compare with, newuidmap/newgidmap for rootless podman, python3-grpcio for
# tests/clients/cri_client.py (a minimal CRI client; Debian 12 has no crictl).
GROVE_CLIENT_DEPS=(podman conmon containerd crun runc uidmap catatonit python3-grpcio)
# The `fuzz` tests (tests/fuzz): libFuzzer needs clang (Debian 12: clang-14); its runtime
# (libclang_rt.fuzzer*.a) is in libclang-rt-14-dev, not in clang-14 itself.
GROVE_FUZZ_DEPS=(clang libclang-rt-14-dev)

grove_install_deps() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "grove: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    return 1
  fi
  echo "grove: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Configures (once) and builds into $1. GROVE_SANITIZE=1 selects an ASan+UBSan build.
grove_build() {
  local dir=$1; shift
  local top; top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$top" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >&2 || return 1
  fi
  cmake --build "$dir" >&2
}

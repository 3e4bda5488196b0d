#!/usr/bin/env python3
"""Writes the hostile-config corpus (tests/security/config_corpus_test.cc): NAME.json, a config
for a busybox bundle (root "rootfs", `true`, cgroupsPath /grove-test/corpus-hostile) with one
hostile edit, and NAME.err, a substring of grove's error that names the field. Regenerate with
`python3 tests/data/oci/hostile/make_hostile.py` after changing a case."""
import copy, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_MOUNTS = 7  # the default spec's mounts: new ones are /mounts/7

BASE = {
    "ociVersion": "1.0.2-dev",
    "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["true"],
                "env": ["PATH=/bin", "TERM=xterm"], "cwd": "/",
                "capabilities": {k: ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
                                 for k in ("bounding", "effective", "permitted")},
                "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
                "noNewPrivileges": True},
    "root": {"path": "rootfs", "readonly": False},
    "hostname": "hostile",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]}],
    "linux": {"cgroupsPath": "/grove-test/corpus-hostile",
              "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
              "maskedPaths": ["/proc/kcore", "/proc/keys", "/sys/firmware"],
              "readonlyPaths": ["/proc/bus", "/proc/sys"]},
}

NUL = "\u0000"


def mount(dest, typ="tmpfs", src="tmpfs", opts=None):
    m = {"destination": dest, "type": typ, "source": src}
    if opts is not None:
        m["options"] = opts
    return lambda c: c["mounts"].append(m)


def setp(path, value):
    def f(c):
        *parents, last = path.split("/")
        for p in parents:
            c = c.setdefault(p, {})
        c[last] = value
    return f


def drop_ns(t):
    return lambda c: c["linux"].__setitem__(
        "namespaces", [n for n in c["linux"]["namespaces"] if n["type"] != t])


def both(*fs):
    def f(c):
        for g in fs:
            g(c)
    return f


def userns(uid, gid):
    return both(lambda c: c["linux"]["namespaces"].append({"type": "user"}),
                setp("linux/uidMappings", uid), setp("linux/gidMappings", gid))


M = "/mounts/%d" % BASE_MOUNTS
CASES = {
    # Mounts shadowing /proc (CVE-2019-16884/19921 class).
    "mount-tmpfs-on-proc": (mount("/proc"), M + "/destination: only a procfs"),
    "mount-bind-volume-on-proc": (mount("/proc", "bind", "/tmp", ["rbind"]), M + "/destination"),
    "mount-on-proc-self-attr": (mount("/proc/self/attr"), M + "/destination"),
    "mount-on-proc-sys": (mount("/proc/sys", "bind", "/tmp", ["bind"]), M + "/destination"),
    "mount-on-proc-sysrq": (mount("/proc/sysrq-trigger", "bind", "/dev/null", ["bind"]), M + "/destination"),
    "mount-on-thread-self-attr-exec": (mount("/proc/thread-self/attr/exec", "bind", "/dev/null", ["bind"]), M + "/destination"),
    "mount-on-proc-unnormalised": (mount("//proc/./self/../1/attr"), M + "/destination"),
    # Mount destinations and options.
    "mount-dest-dotdot": (mount("/../../../tmp/grove-hostile-escape"), "must not contain"),
    "mount-dest-nul": (mount("/mnt" + NUL + "x"), M + "/destination: contains a NUL byte"),
    "mount-option-nul": (mount("/mnt", opts=["size=1m" + NUL + ",exec"]), M + "/options/0: contains a NUL byte"),
    "mount-type-nul": (mount("/mnt", "tmp" + NUL + "fs"), M + "/type: contains a NUL byte"),
    "mount-source-nul": (mount("/mnt", "bind", "/tmp" + NUL + "/x", ["bind"]), M + "/source: contains a NUL byte"),
    "mount-unknown-tmpfs-option": (mount("/mnt", opts=["bogusopt=1"]), "bogusopt"),
    # Sysctls outside their namespace or outside /proc/sys.
    "sysctl-net-in-host-netns": (both(drop_ns("network"), setp("linux/sysctl", {"net.ipv4.ip_forward": "1"})),
                                 'linux.sysctl "net.ipv4.ip_forward": not allowed without a network namespace'),
    "sysctl-ipc-in-host-ipcns": (both(drop_ns("ipc"), setp("linux/sysctl", {"kernel.shm_rmid_forced": "1"})),
                                 "not allowed without a ipc namespace"),
    "sysctl-not-namespaced": (setp("linux/sysctl", {"kernel.core_pattern": "|/tmp/x"}), "not in a separate kernel namespace"),
    "sysctl-dotdot-escape": (setp("linux/sysctl", {"net.ipv4/../../kernel/core_pattern": "|/tmp/x"}), "bad sysctl key"),
    "sysctl-slash-escape": (setp("linux/sysctl", {"net/../kernel/core_pattern": "x"}), "bad sysctl key"),
    "sysctl-key-nul": (setp("linux/sysctl", {"net.ipv4.ip_forward" + NUL: "1"}), "NUL byte"),
    "sysctl-value-nul": (setp("linux/sysctl", {"net.ipv4.ip_forward": "1" + NUL + "0"}), "/linux/sysctl/net.ipv4.ip_forward: contains a NUL byte"),
    "sysctl-unknown-key": (setp("linux/sysctl", {"net.ipv4.no_such_key": "1"}), 'linux.sysctl "net.ipv4.no_such_key"'),
    # Process.
    "rlimit-soft-over-hard": (setp("process/rlimits", [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]),
                              "/process/rlimits/0/soft: soft limit 2048 exceeds the hard limit 1024"),
    "rlimit-negative": (setp("process/rlimits", [{"type": "RLIMIT_NOFILE", "soft": -1, "hard": -1}]), "/process/rlimits/0/hard"),
    "rlimit-duplicate": (setp("process/rlimits", [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1},
                                                  {"type": "RLIMIT_NOFILE", "soft": 2, "hard": 2}]), "duplicate rlimit type"),
    "user-uid-minus-one": (setp("process/user/uid", 4294967295), "/process/user/uid: 4294967295"),
    "user-gid-minus-one": (setp("process/user/gid", 4294967295), "/process/user/gid: 4294967295"),
    "user-additional-gid-minus-one": (setp("process/user/additionalGids", [5, 4294967295]), "/process/user/additionalGids/1"),
    "args-nul": (setp("process/args", ["tr" + NUL + "ue"]), "/process/args/0: contains a NUL byte"),
    "cwd-nul": (setp("process/cwd", "/" + NUL + "tmp"), "/process/cwd: contains a NUL byte"),
    "env-nul": (lambda c: c["process"]["env"].append("A=b" + NUL + "c"), "/process/env/2: contains a NUL byte"),
    "oom-score-adj-out-of-range": (setp("process/oomScoreAdj", 5000), "process.oomScoreAdj: 5000"),
    "apparmor-profile-nul": (setp("process/apparmorProfile", "p" + NUL), "/process/apparmorProfile: contains a NUL byte"),
    "capability-nul": (setp("process/capabilities/bounding", ["CAP_KILL" + NUL]), "/process/capabilities/bounding/0"),
    # Host names.
    "hostname-nul": (setp("hostname", "ho" + NUL + "st"), "/hostname: contains a NUL byte"),
    "hostname-too-long": (setp("hostname", "h" * 5000), "sethostname"),
    "hostname-without-uts": (both(drop_ns("uts"), setp("hostname", "evil")), "/hostname: requires a uts namespace"),
    # Hooks.
    "hook-prestart-relative": (setp("hooks", {"prestart": [{"path": "bin/true"}]}), "/hooks/prestart/0/path: must be absolute"),
    "hook-createruntime-dot": (setp("hooks", {"createRuntime": [{"path": "./hook"}]}), "/hooks/createRuntime/0/path: must be absolute"),
    "hook-path-nul": (setp("hooks", {"poststart": [{"path": "/bin/true" + NUL + "x"}]}), "/hooks/poststart/0/path: contains a NUL byte"),
    "hook-arg-nul": (setp("hooks", {"createContainer": [{"path": "/bin/true", "args": ["true", "a" + NUL]}]}),
                     "/hooks/createContainer/0/args/1: contains a NUL byte"),
    "hook-timeout-negative": (setp("hooks", {"poststop": [{"path": "/bin/true", "timeout": -5}]}), "must be greater than zero"),
    # Namespaces and id maps.
    "namespace-path-not-a-namespace": (lambda c: c["linux"]["namespaces"].__setitem__(0, {"type": "pid", "path": "/etc/hostname"}),
                                       'join pid namespace "/etc/hostname"'),
    "namespace-duplicate": (lambda c: c["linux"]["namespaces"].append({"type": "pid"}), "duplicate namespace type"),
    "namespace-path-nul": (lambda c: c["linux"]["namespaces"].__setitem__(0, {"type": "pid", "path": "/proc/1/ns/pid" + NUL}),
                           "/linux/namespaces/0/path: contains a NUL byte"),
    "uid-map-overflow": (userns([{"containerID": 0, "hostID": 4294967290, "size": 100}],
                                [{"containerID": 0, "hostID": 0, "size": 1}]), "uid_map"),
    "uid-map-zero-size": (userns([{"containerID": 0, "hostID": 100000, "size": 0}],
                                 [{"containerID": 0, "hostID": 100000, "size": 1}]), "uid_map"),
    # Devices, masks, cgroups, annotations.
    "device-path-dotdot": (setp("linux/devices", [{"path": "/dev/../etc/hostile", "type": "c", "major": 1, "minor": 3}]),
                           "linux.devices[0]"),
    "device-path-escape": (setp("linux/devices", [{"path": "/../../tmp/grove-hostile-dev", "type": "c", "major": 1, "minor": 3}]),
                           "linux.devices[0]"),
    "masked-path-nul": (lambda c: c["linux"]["maskedPaths"].append("/proc/k" + NUL + "core"), "/linux/maskedPaths/3: contains a NUL byte"),
    "readonly-path-relative": (lambda c: c["linux"]["readonlyPaths"].append("../../etc"), "/linux/readonlyPaths/2: must be absolute"),
    "cgroups-path-nul": (setp("linux/cgroupsPath", "/grove-test/x" + NUL + "y"), "/linux/cgroupsPath: contains a NUL byte"),
    "annotation-mount-strategy-bogus": (setp("annotations", {"run.grove.mount-strategy": "bogus"}), "unknown mount strategy"),
    "annotation-value-nul": (setp("annotations", {"k": "v" + NUL}), "/annotations/k: contains a NUL byte"),
    "netdevice-name-dotdot": (setp("linux/netDevices", {"eth0": {"name": "../x"}}), "is not a valid interface name"),
    "time-offsets-without-timens": (setp("linux/timeOffsets", {"monotonic": {"secs": 9223372036854775807}}),
                                    "/linux/timeOffsets: requires a new time namespace"),
    "seccomp-syscall-name-nul": (setp("linux/seccomp", {"defaultAction": "SCMP_ACT_ALLOW",
                                                        "syscalls": [{"names": ["getpid" + NUL], "action": "SCMP_ACT_ERRNO"}]}),
                                 "/linux/seccomp/syscalls/0/names/0: contains a NUL byte"),
}


def main():
    for f in os.listdir(HERE):
        if f.endswith(".json") or f.endswith(".err"):
            os.remove(os.path.join(HERE, f))
    for name, (edit, expect) in sorted(CASES.items()):
        c = copy.deepcopy(BASE)
        edit(c)
        with open(os.path.join(HERE, name + ".json"), "w") as out:
            json.dump(c, out, indent=1)
            out.write("\n")
        with open(os.path.join(HERE, name + ".err"), "w") as out:
            out.write(expect + "\n")
    print(len(CASES), "cases")


if __name__ == "__main__":
    main()

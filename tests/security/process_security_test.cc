// Security regression suites EXE, FD and CAP (issue #9; reference/engines.md §5), on the grove
// binary with the static probe (tests/probe/grove-probe.cc) inside busybox containers.
//
// EXE (CVE-2019-5736): while containers are created, started and exec'd, container processes
//   (the init's process and exec'd ones) try to reach the runtime binary through /proc/<pid>/exe
//   and /proc/<pid>/fd/* of every process they can see; none may reach it, none may open it for
//   writing, and the binary's bytes stay the same.
// FD (CVE-2024-21626): the init and exec'd processes hold only stdio, --preserve-fds and
//   LISTEN_FDS fds; process.cwd / exec --cwd of /proc/self/fd/N fail; root and cwd are inside.
// CAP (CVE-2022-29162, CVE-2022-27650): all five capability sets after run and exec, with and
//   without exec --cap, equal the spec (exec --cap never adds inheritable or ambient bits).

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "libcontainer/security/sha256.h"
#include "tests/support/e2e_fixture.h"
#include "tests/support/files.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

// The capability mask of `names` as /proc/<pid>/status prints it (16 hex digits).
std::string cap_mask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const std::string& n : names) {
    cap_value_t v;
    if (cap_from_name(n.c_str(), &v) == 0)
      mask |= uint64_t{1} << v;
    else
      ADD_FAILURE() << "unknown capability " << n;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mask));
  return buf;
}

Json parse_json(const Ran& r) {
  Json j = Json::parse(r.out, nullptr, false);
  return j.is_discarded() ? Json() : j;
}

class ProcessSecurityPrivTest : public E2eFixture {
 protected:
  ProcessSecurityPrivTest() : E2eFixture(GROVE_BIN, {BusyboxBundle::kProbePath}) {}

  void SetUp() override {
    E2eFixture::SetUp();
    if (!bundle_) return;
    ASSERT_TRUE(bundle_->add_probe(GROVE_PROBE));
  }

  oci::Process& process() { return *bundle_->spec().process; }

  // The container's status, or "" once it is gone (`run` deletes it when its process exits:
  // under qemu TCG the victim can end before the attack loop does).
  std::string status_of(const std::string& id) {
    Json st = cli_->state(id);
    return st.is_object() ? st.value("status", "") : "";
  }

  // `grove run -d` of the bundle with `sleep 100`, ready for exec.
  void run_sleeper(const std::string& id) {
    process().args = {"sleep", "100"};
    ASSERT_TRUE(bundle_->write_config());
    Ran r = grove({"run", "-d", "--bundle", bundle_->bundle(), id});
    ASSERT_EQ(r.code, 0) << r.err;
  }

  // A user namespace mapping the container's 0..65535 to host 100000.. (root-created), without
  // the sysfs/cgroup mounts that runc's rootless spec replaces with binds.
  void with_user_namespace() {
    ASSERT_EQ(::chmod(bundle_->dir().c_str(), 0755), 0);
    oci::Linux& l = *bundle_->spec().linux;
    l.namespaces.push_back({oci::NamespaceType::kUser, ""});
    l.uid_mappings = {{0, 100000, 65536}};
    l.gid_mappings = {{0, 100000, 65536}};
    std::erase_if(bundle_->spec().mounts, [](const oci::Mount& m) {
      return m.destination == "/sys" || m.destination == "/sys/fs/cgroup";
    });
  }

  // `sh -c <script>` on the host, with grove as "$G" and the state root as "$R" (for fd
  // redirections and LISTEN_* variables that must be set in the grove process itself).
  Ran shell(const std::string& script) {
    RunOptions o{.out_path = cli_->scratch() + "/sh.out", .err_path = cli_->scratch() + "/sh.err"};
    return run_shell("G='" + std::string(GROVE_BIN) + "' R='" + cli_->root() + "'; " + script, o);
  }
};

// ---- EXE ---------------------------------------------------------------------------------------

std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(major(st.st_dev)) + "," + std::to_string(minor(st.st_dev)) + ":" +
         std::to_string(st.st_ino);
}

TEST_F(ProcessSecurityPrivTest, ExeRuntimeBinaryUnreachableDuringCreateStartExec) {
  const std::string before = security::sha256_hex(read_text_file(GROVE_BIN));
  ASSERT_FALSE(before.empty());
  const std::string target = "--attack-exe=" + file_identity(GROVE_BIN);
  // The victim's own process attacks for 8 s: it sees the reaper/init (pid 1), every exec'd
  // process's runtime side before its execve, and inits of containers joining its pid namespace.
  process().args = {BusyboxBundle::kProbePath, target, "--seconds=8"};
  ASSERT_TRUE(bundle_->write_config());
  pid_t victim = cli_->spawn({"run", "--bundle", bundle_->bundle(), "victim"}, "victim");
  ASSERT_TRUE(cli_->wait_status("victim", "running"));
  Json st = cli_->state("victim");
  ASSERT_TRUE(st.is_object());
  const int init_pid = st["pid"].get<int>();
  // An exec'd attacker, in parallel with plain execs.
  pid_t exec_attacker = cli_->spawn(
      {"exec", "victim", BusyboxBundle::kProbePath, target, "--seconds=2"}, "exec-attacker");
  // Containers created, started and deleted inside the victim's pid namespace.
  auto joiner = BusyboxBundle::make({"true"});
  ASSERT_TRUE(joiner) << joiner.error().message();
  for (oci::Namespace& ns : joiner->spec().linux->namespaces) {
    if (ns.type == oci::NamespaceType::kPid)
      ns.path = "/proc/" + std::to_string(init_pid) + "/ns/pid";
  }
  ASSERT_TRUE(joiner->write_config());
  int execs = 0, joins = 0;
  auto t0 = std::chrono::steady_clock::now();
  // Only while the victim runs (its pid namespace must be there to join).
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3) &&
         status_of("victim") == "running") {
    if (grove({"exec", "victim", "true"}).code == 0) ++execs;
    std::string id = "joiner-" + std::to_string(joins);
    Ran c = grove({"create", "--bundle", joiner->bundle(), id});
    ASSERT_EQ(c.code, 0) << c.err;
    Json js = cli_->state(id);
    ASSERT_TRUE(js.is_object());
    Ran started = grove({"start", id});
    EXPECT_EQ(started.code, 0) << started.err;
    EXPECT_EQ(grove({"delete", "--force", id}).code, 0);
    // The joiner's init is our child (subreaper) but lives in the victim's pid namespace: the
    // victim's pid 1 cannot finish exiting before it is reaped, so reap it now (not with
    // reap_children(), which would also take the victim's `grove run`).
    ::waitpid(js["pid"].get<pid_t>(), nullptr, 0);
    ++joins;
  }
  Ran e = cli_->finish(exec_attacker, "exec-attacker");
  Ran v = cli_->finish(victim, "victim");
  ASSERT_EQ(v.code, 0) << v.err;
  ASSERT_EQ(e.code, 0) << e.err;
  for (const Ran* r : {&v, &e}) {
    Json a = parse_json(*r)["attack"];
    ASSERT_TRUE(a.is_object()) << r->out;
    EXPECT_GT(a["pids_seen"].get<long>(), 0) << a.dump();
    EXPECT_EQ(a["target_reached"], 0)
        << "a container process reached the runtime binary: " << a.dump();
    EXPECT_EQ(a["target_writable"], 0) << a.dump();
    EXPECT_EQ(a["writes"], 0) << a.dump();
  }
  EXPECT_GT(execs, 0);
  EXPECT_GT(joins, 0);
  EXPECT_EQ(security::sha256_hex(read_text_file(GROVE_BIN)), before)
      << "the runtime binary changed";
  RecordProperty("execs", execs);
  RecordProperty("joins", joins);
}

// The same attack from a container in a user namespace (its root is host uid 100000): the
// runtime side of create, start and exec must not be reachable there either (runc's
// CVE-2019-5736 fix has to hold when the attacker is mapped root, too).
TEST_F(ProcessSecurityPrivTest, ExeRuntimeBinaryUnreachableFromAUserNamespace) {
  ASSERT_NO_FATAL_FAILURE(with_user_namespace());
  const std::string before = security::sha256_hex(read_text_file(GROVE_BIN));
  const std::string target = "--attack-exe=" + file_identity(GROVE_BIN);
  process().args = {BusyboxBundle::kProbePath, target, "--seconds=4"};
  ASSERT_TRUE(bundle_->write_config());
  pid_t victim = cli_->spawn({"run", "--bundle", bundle_->bundle(), "uvictim"}, "uvictim");
  ASSERT_TRUE(cli_->wait_status("uvictim", "running"));
  pid_t exec_attacker = cli_->spawn(
      {"exec", "uvictim", BusyboxBundle::kProbePath, target, "--seconds=2"}, "uexec-attacker");
  int execs = 0;
  auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3) &&
         status_of("uvictim") == "running") {
    if (grove({"exec", "uvictim", "true"}).code == 0) ++execs;
  }
  Ran e = cli_->finish(exec_attacker, "uexec-attacker");
  Ran v = cli_->finish(victim, "uvictim");
  ASSERT_EQ(v.code, 0) << v.err;
  ASSERT_EQ(e.code, 0) << e.err;
  for (const Ran* r : {&v, &e}) {
    Json a = parse_json(*r)["attack"];
    ASSERT_TRUE(a.is_object()) << r->out;
    EXPECT_GT(a["pids_seen"].get<long>(), 0) << a.dump();
    EXPECT_EQ(a["target_reached"], 0) << a.dump();
    EXPECT_EQ(a["target_writable"], 0) << a.dump();
    EXPECT_EQ(a["writes"], 0) << a.dump();
  }
  EXPECT_GT(execs, 0);
  EXPECT_EQ(security::sha256_hex(read_text_file(GROVE_BIN)), before)
      << "the runtime binary changed";
}

// ---- FD ----------------------------------------------------------------------------------------

// The probe's fds map without 0-2 (stdio may be host files or pipes, by design).
std::vector<std::string> extra_fds(const Json& probe) {
  std::vector<std::string> out;
  for (auto it = probe["fds"].begin(); it != probe["fds"].end(); ++it) {
    if (std::stoi(it.key()) > 2) out.push_back(it.key() + "->" + it.value().get<std::string>());
  }
  return out;
}

TEST_F(ProcessSecurityPrivTest, FdInitHoldsOnlyStdioPreservedAndListenFds) {
  std::ofstream(bundle_->dir() + "/a") << "a";
  std::ofstream(bundle_->dir() + "/b") << "b";
  process().args = {BusyboxBundle::kProbePath};
  ASSERT_TRUE(bundle_->write_config());
  // Plain run: fds 3.. of the runtime (the two files) are not passed.
  Ran plain = shell("exec 3<'" + bundle_->dir() + "/a' 4<'" + bundle_->dir() + "/b' 7</; " +
                    "\"$G\" --root \"$R\" run --bundle '" + bundle_->bundle() + "' fd-plain");
  ASSERT_EQ(plain.code, 0) << plain.err;
  Json j = parse_json(plain);
  ASSERT_TRUE(j.is_object()) << plain.out;
  EXPECT_THAT(extra_fds(j), ::testing::IsEmpty());
  EXPECT_EQ(j["root_link"], "/");
  EXPECT_EQ(j["cwd_link"], "/");
  EXPECT_EQ(j["cwd"], "/");
  // LISTEN_FDS=1 (fd 3) and --preserve-fds 1 (fd 4): exactly 3 and 4 arrive; 7 (the host's /)
  // does not.
  Ran kept = shell("exec 3<'" + bundle_->dir() + "/a' 4<'" + bundle_->dir() + "/b' 7</; " +
                   "LISTEN_FDS=1 LISTEN_PID=$$ exec \"$G\" --root \"$R\" run --preserve-fds 1 "
                   "--bundle '" +
                   bundle_->bundle() + "' fd-kept");
  ASSERT_EQ(kept.code, 0) << kept.err;
  j = parse_json(kept);
  ASSERT_TRUE(j.is_object()) << kept.out;
  EXPECT_THAT(extra_fds(j),
              ::testing::ElementsAre("3->" + bundle_->dir() + "/a", "4->" + bundle_->dir() + "/b"));
  EXPECT_THAT(j["env"].dump(), HasSubstr("LISTEN_FDS=1"));
}

TEST_F(ProcessSecurityPrivTest, FdExecHoldsOnlyStdioAndPreservedFds) {
  ASSERT_NO_FATAL_FAILURE(run_sleeper("fd-exec"));
  std::ofstream(bundle_->dir() + "/a") << "a";
  Ran plain = shell("exec 3<'" + bundle_->dir() + "/a' 7</; \"$G\" --root \"$R\" exec fd-exec " +
                    BusyboxBundle::kProbePath);
  ASSERT_EQ(plain.code, 0) << plain.err;
  Json j = parse_json(plain);
  ASSERT_TRUE(j.is_object()) << plain.out;
  EXPECT_THAT(extra_fds(j), ::testing::IsEmpty());
  EXPECT_EQ(j["root_link"], "/");
  EXPECT_EQ(j["cwd"], "/");
  Ran kept = shell("exec 3<'" + bundle_->dir() + "/a' 7</; \"$G\" --root \"$R\" exec " +
                   "--preserve-fds 1 fd-exec " + BusyboxBundle::kProbePath);
  ASSERT_EQ(kept.code, 0) << kept.err;
  j = parse_json(kept);
  ASSERT_TRUE(j.is_object()) << kept.out;
  EXPECT_THAT(extra_fds(j), ::testing::ElementsAre("3->" + bundle_->dir() + "/a"));
}

// FD in a user namespace: the init and an exec'd process hold only stdio (the runtime's fd 3
// and 7, the host's /, never arrive), and their root and cwd are the container's.
TEST_F(ProcessSecurityPrivTest, FdOnlyStdioInAUserNamespace) {
  ASSERT_NO_FATAL_FAILURE(with_user_namespace());
  std::ofstream(bundle_->dir() + "/a") << "a";
  process().args = {BusyboxBundle::kProbePath};
  ASSERT_TRUE(bundle_->write_config());
  Ran plain = shell("exec 3<'" + bundle_->dir() + "/a' 7</; " +
                    "\"$G\" --root \"$R\" run --bundle '" + bundle_->bundle() + "' ufd-plain");
  ASSERT_EQ(plain.code, 0) << plain.err;
  Json j = parse_json(plain);
  ASSERT_TRUE(j.is_object()) << plain.out;
  EXPECT_THAT(extra_fds(j), ::testing::IsEmpty());
  EXPECT_EQ(j["root_link"], "/");
  EXPECT_EQ(j["cwd"], "/");
  struct stat host_userns {};
  ASSERT_EQ(::stat("/proc/self/ns/user", &host_userns), 0);
  EXPECT_NE(j["namespaces"]["user"].get<unsigned long>(), host_userns.st_ino)
      << "the init is not in a user namespace";
  ASSERT_NO_FATAL_FAILURE(run_sleeper("ufd-exec"));
  Ran ex = shell("exec 3<'" + bundle_->dir() + "/a' 7</; \"$G\" --root \"$R\" exec ufd-exec " +
                 BusyboxBundle::kProbePath);
  ASSERT_EQ(ex.code, 0) << ex.err;
  j = parse_json(ex);
  ASSERT_TRUE(j.is_object()) << ex.out;
  EXPECT_THAT(extra_fds(j), ::testing::IsEmpty());
  EXPECT_EQ(j["root_link"], "/");
  EXPECT_EQ(j["cwd"], "/");
}

// CVE-2024-21626: a cwd through a (leaked) fd would put the process in the host mount namespace.
// Whether grove refuses the magic link or finds no such fd, it must never start the process.
TEST_F(ProcessSecurityPrivTest, FdCwdThroughProcSelfFdFailsForRunAndExec) {
  std::vector<int> started;
  for (int n = 3; n <= 64; ++n) {
    process().cwd = "/proc/self/fd/" + std::to_string(n);
    process().args = {"true"};
    ASSERT_TRUE(bundle_->write_config());
    Ran r = grove({"run", "--bundle", bundle_->bundle(), "cwd-" + std::to_string(n)});
    if (r.code == 0) started.push_back(n);
    EXPECT_THAT(r.err, HasSubstr("cwd")) << "fd " << n;
  }
  EXPECT_THAT(started, ::testing::IsEmpty()) << "run started with cwd /proc/self/fd/N";
  process().cwd = "/";
  ASSERT_NO_FATAL_FAILURE(run_sleeper("cwd-exec"));
  started.clear();
  for (int n = 3; n <= 64; ++n) {
    Ran r = grove({"exec", "--cwd", "/proc/self/fd/" + std::to_string(n), "cwd-exec", "pwd"});
    if (r.code == 0) started.push_back(n);
  }
  EXPECT_THAT(started, ::testing::IsEmpty()) << "exec started with --cwd /proc/self/fd/N";
}

// ---- CAP ---------------------------------------------------------------------------------------

struct CapSets {
  std::string bnd, eff, prm, inh, amb;
};

// The sets the kernel gives a root process configured with `c`: the spec's, except that ambient
// is what capabilities(7) lets it hold, spec ambient ∩ inheritable ∩ permitted (runc's default
// spec lists ambient caps with no inheritable ones: none can be raised).
CapSets spec_sets(const oci::Capabilities& c) {
  auto bits = [](const std::string& hex) { return std::stoull(hex, nullptr, 16); };
  CapSets s{cap_mask(c.bounding), cap_mask(c.effective), cap_mask(c.permitted),
            cap_mask(c.inheritable), cap_mask(c.ambient)};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", bits(s.amb) & bits(s.inh) & bits(s.prm));
  s.amb = buf;
  return s;
}

void expect_sets(const Json& probe, const CapSets& want, const std::string& what) {
  ASSERT_TRUE(probe.is_object()) << what;
  const Json& c = probe["caps"];
  EXPECT_EQ(c["CapBnd"], want.bnd) << what;
  EXPECT_EQ(c["CapEff"], want.eff) << what;
  EXPECT_EQ(c["CapPrm"], want.prm) << what;
  EXPECT_EQ(c["CapInh"], want.inh) << what;
  EXPECT_EQ(c["CapAmb"], want.amb) << what;
}

TEST_F(ProcessSecurityPrivTest, CapFiveSetsAfterRunAndExecWithAndWithoutCap) {
  ASSERT_TRUE(process().capabilities.has_value());
  const oci::Capabilities spec_caps = *process().capabilities;  // default_spec's (runc's) list
  const CapSets want = spec_sets(spec_caps);
  process().args = {BusyboxBundle::kProbePath};
  ASSERT_TRUE(bundle_->write_config());
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "cap-run"});
  ASSERT_EQ(r.code, 0) << r.err;
  expect_sets(parse_json(r), want, "run");

  ASSERT_NO_FATAL_FAILURE(run_sleeper("cap-exec"));
  Ran e = grove({"exec", "cap-exec", BusyboxBundle::kProbePath});
  ASSERT_EQ(e.code, 0) << e.err;
  expect_sets(parse_json(e), want, "exec");

  // --cap adds to bounding, effective and permitted only (runc >= 1.1.2).
  Ran ec = grove({"exec", "--cap", "CAP_SYS_ADMIN", "--cap", "CAP_SYS_PTRACE", "cap-exec",
                  BusyboxBundle::kProbePath});
  ASSERT_EQ(ec.code, 0) << ec.err;
  oci::Capabilities more = spec_caps;
  for (auto* set : {&more.bounding, &more.effective, &more.permitted}) {
    set->push_back("CAP_SYS_ADMIN");
    set->push_back("CAP_SYS_PTRACE");
  }
  CapSets with_cap = spec_sets(more);
  EXPECT_EQ(with_cap.inh, want.inh);
  expect_sets(parse_json(ec), with_cap, "exec --cap");

  // A non-root exec: execve drops permitted/effective (no ambient), bounding stays.
  Ran eu = grove({"exec", "--user", "1000:1000", "--cap", "CAP_SYS_ADMIN", "cap-exec",
                  BusyboxBundle::kProbePath});
  ASSERT_EQ(eu.code, 0) << eu.err;
  CapSets user = with_cap;
  user.bnd = spec_sets(oci::Capabilities{.bounding =
                                             [&] {
                                               auto b = spec_caps.bounding;
                                               b.push_back("CAP_SYS_ADMIN");
                                               return b;
                                             }()})
                 .bnd;
  user.eff = user.prm = cap_mask({});
  expect_sets(parse_json(eu), user, "exec --user 1000 --cap");
}

}  // namespace
}  // namespace grove::testing

// L3: linux.netDevices with the real grove binary. Each test makes its own veth pair on the host
// (unique names per test process, deleted in TearDown whatever happened; this host's kernel has
// no dummy driver), moves one end into a busybox container and looks at it from both sides.
// Needs root and iproute2's `ip`.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/support/e2e_fixture.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

int sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// iproute2's ip (busybox's applet, e.g. in tests/vm, lacks `netns` and `nodad`).
const char* ip_binary() {
  for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
    if (::access(p, X_OK) != 0) continue;
    if (sh(std::string(p) + " -V 2>&1 | grep -q iproute2") == 0) return p;
  }
  return nullptr;
}

class NetDevicesE2ePrivTest : public E2eFixture {
 protected:
  NetDevicesE2ePrivTest() : E2eFixture(GROVE_BIN) {}

  void SetUp() override {
    E2eFixture::SetUp();
    if (!bundle_) return;
    if (ip_binary() == nullptr) GTEST_SKIP() << "needs iproute2's ip to make a veth pair";
    ip_ = ip_binary();
    // 15 bytes at most (IFNAMSIZ - 1): "grnd" / "grnp" + pid.
    host_name_ = "grnd" + std::to_string(::getpid() % 10000000);
    peer_name_ = "grnp" + std::to_string(::getpid() % 10000000);
    ASSERT_EQ(sh(ip_ + " link add " + host_name_ + " type veth peer name " + peer_name_), 0)
        << "ip link add veth";
    made_ = true;
    ASSERT_EQ(sh(ip_ + " addr add 10.213.7.1/24 dev " + host_name_), 0);
    ASSERT_EQ(sh(ip_ + " link set " + host_name_ + " mtu 1400"), 0);
  }

  void TearDown() override {
    E2eFixture::TearDown();
    // The pair is gone when the container's namespace took its end down with it (a virtual
    // device dies with its namespace, and a veth with its peer); otherwise it is still here.
    if (!netns_.empty()) (void)sh(ip_ + " netns del " + netns_ + " 2>/dev/null");
    if (made_) {
      (void)sh(ip_ + " link del " + host_name_ + " 2>/dev/null");
      (void)sh(ip_ + " link del " + peer_name_ + " 2>/dev/null");
    }
  }

  bool on_host() { return sh(ip_ + " link show " + host_name_ + " >/dev/null 2>&1") == 0; }

  void use(const std::string& name, std::vector<std::string> args) {
    bundle_->spec().linux->net_devices[host_name_] = oci::NetDevice{name};
    bundle_->spec().process->args = std::move(args);
    ASSERT_TRUE(bundle_->write_config());
  }

  std::string ip_;
  std::string host_name_;
  std::string peer_name_;
  std::string netns_;  // a named namespace (ip netns add) the test made, deleted in TearDown
  bool made_ = false;
};

TEST_F(NetDevicesE2ePrivTest, DeviceIsMovedRenamedKeepsItsAddressAndIsUp) {
  use("eth9", {"sh", "-c",
               "busybox ip addr show dev eth9; cat /sys/class/net/eth9/mtu; "
               "ls /sys/class/net"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-nd-run"});
  ASSERT_EQ(r.code, 0) << r.err;
  if (std::getenv("GROVE_TEST_VERBOSE") != nullptr) std::printf("%s", r.out.c_str());
  EXPECT_THAT(r.out, HasSubstr("eth9"));
  EXPECT_THAT(r.out, HasSubstr("inet 10.213.7.1/24"));  // the permanent global address came along
  EXPECT_THAT(r.out, HasSubstr(",UP"));                 // set up in the container (spec: MUST)
  EXPECT_THAT(r.out, HasSubstr("1400\n"));              // link attributes travel with the device
  EXPECT_THAT(r.out, Not(HasSubstr(host_name_)));       // renamed, not copied
}

TEST_F(NetDevicesE2ePrivTest, HostLosesTheDeviceFromCreateOnAndDeleteDoesNotMoveItBack) {
  use("", {"sleep", "100"});
  ASSERT_TRUE(on_host());
  Ran c = grove({"create", "--bundle", bundle_->bundle(), "c-nd-life"});
  ASSERT_EQ(c.code, 0) << c.err;
  EXPECT_FALSE(on_host()) << host_name_ << " still on the host after create";
  Ran d = grove({"delete", "--force", "c-nd-life"});
  ASSERT_EQ(d.code, 0) << d.err;
  // runtime-spec 1.3: the runtime MUST NOT move it out before deletion; the kernel destroys a
  // virtual device with its namespace (a physical one would return to the initial namespace).
  EXPECT_FALSE(on_host()) << "a veth end must not come back to the host";
}

// IPv6 drops a device's addresses when it goes down (keep_addr_on_down is 0 by default), so they
// are read before the device is set down for the move; the user's nodad flag comes along.
TEST_F(NetDevicesE2ePrivTest, Ipv6AddressOfAnUpDeviceSurvivesTheMove) {
  ASSERT_EQ(sh(ip_ + " -6 addr add 2001:db8::7/64 dev " + host_name_ + " nodad"), 0);
  ASSERT_EQ(sh(ip_ + " link set " + host_name_ + " up"), 0);
  use("eth9", {"busybox", "ip", "-6", "addr", "show", "dev", "eth9"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-nd-v6"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("inet6 2001:db8::7/64 scope global"));
  EXPECT_THAT(r.out, Not(HasSubstr("tentative")));  // nodad was kept
}

// The device is moved before the init goes on: linux.sysctl for it (written by the init) works.
TEST_F(NetDevicesE2ePrivTest, DeviceExistsBeforeTheInitWritesSysctls) {
  bundle_->spec().linux->sysctl["net.ipv4.conf.eth9.forwarding"] = "1";
  use("eth9", {"cat", "/proc/sys/net/ipv4/conf/eth9/forwarding"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-nd-sysctl"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "1\n");
}

// With a user namespace the new network namespace belongs to it; the runtime (root in the
// initial user namespace) still moves the device in and configures it.
TEST_F(NetDevicesE2ePrivTest, WorksWithAUserNamespace) {
  ASSERT_EQ(::chmod(bundle_->dir().c_str(), 0755), 0);  // container root is host uid 100000
  auto& linux = *bundle_->spec().linux;
  linux.namespaces.push_back({oci::NamespaceType::kUser, ""});
  linux.uid_mappings = {{0, 100000, 65536}};
  linux.gid_mappings = {{0, 100000, 65536}};
  use("eth9", {"busybox", "ip", "addr", "show", "dev", "eth9"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-nd-userns"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("inet 10.213.7.1/24"));
  EXPECT_THAT(r.out, HasSubstr(",UP"));
}

TEST_F(NetDevicesE2ePrivTest, TemplateNameIsNumberedByTheKernel) {
  use("ctr%d", {"ls", "/sys/class/net"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-nd-tmpl"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ctr0\n"));
}

// runc's "precreated container network namespace": the namespace outlives the container and
// keeps the device after delete (its owner decides what happens to it).
TEST_F(NetDevicesE2ePrivTest, JoinedNamespaceKeepsTheDeviceAfterDelete) {
  netns_ = "grns" + std::to_string(::getpid() % 10000000);
  ASSERT_EQ(sh(ip_ + " netns add " + netns_), 0);
  for (oci::Namespace& n : bundle_->spec().linux->namespaces) {
    if (n.type == oci::NamespaceType::kNetwork) n.path = "/run/netns/" + netns_;
  }
  use("eth7", {"cat", "/sys/class/net/eth7/operstate"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-nd-joined"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_FALSE(on_host());
  EXPECT_EQ(sh(ip_ + " netns exec " + netns_ + " " + ip_ +
               " addr show dev eth7 | grep -q 'inet 10.213.7.1/24'"),
            0)
      << "eth7 with its address must stay in the joined namespace";
}

TEST_F(NetDevicesE2ePrivTest, NameTakenInTheContainerFailsAndMovesNothing) {
  use("lo", {"true"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-nd-taken"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("already exists in the container network namespace"));
  EXPECT_TRUE(on_host());
}

TEST_F(NetDevicesE2ePrivTest, MissingHostDeviceFailsCleanly) {
  bundle_->spec().linux->net_devices["grnx-missing"] = oci::NetDevice{};
  bundle_->spec().linux->net_devices[host_name_] = oci::NetDevice{};
  ASSERT_TRUE(bundle_->write_config());
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-nd-missing"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("linux.netDevices[\\\"grnx-missing\\\"]"));
  EXPECT_THAT(r.err, HasSubstr("ENODEV"));
  if (std::getenv("GROVE_TEST_VERBOSE") != nullptr) std::printf("%s", r.err.c_str());
  // Looked up before anything moved: the existing device is still on the host. The fixture's
  // TearDown checks that no state or cgroup is left.
  EXPECT_TRUE(on_host());
  Ran st = grove({"state", "c-nd-missing"});
  EXPECT_NE(st.code, 0);
}

TEST_F(NetDevicesE2ePrivTest, InvalidNameIsRefusedBeforeAnythingExists) {
  use("bad name", {"true"});
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-nd-bad"});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr(".name: "));
  EXPECT_THAT(r.err, HasSubstr("not a valid interface name"));
  EXPECT_TRUE(on_host());
}

}  // namespace
}  // namespace grove::testing

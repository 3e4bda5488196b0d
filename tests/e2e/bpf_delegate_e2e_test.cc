// L3: run.grove.bpf.delegate end to end. A user-namespace container gets a bpffs at /sys/fs/bpf
// whose delegate options the runtime set on a context the init opened in its user namespace
// (process/spawn.cc serve_bpffs); the static probe reports /proc/self/mountinfo from inside.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <string>

#include "libcontainer/security/bpf_delegate.h"
#include "tests/support/e2e_fixture.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

class BpfDelegateE2ePrivTest : public E2eFixture {
 protected:
  BpfDelegateE2ePrivTest() : E2eFixture(GROVE_BIN, {BusyboxBundle::kProbePath}) {}
  void SetUp() override {
    E2eFixture::SetUp();
    if (!bundle_) return;
    ASSERT_TRUE(bundle_->add_probe(GROVE_PROBE));
  }
  oci::Linux& linux_() { return *bundle_->spec().linux; }

  // A user-namespace container whose /sys is a tmpfs (so /sys/fs/bpf can be created in it).
  void make_userns_spec() {
    ASSERT_EQ(::chmod(bundle_->dir().c_str(), 0755), 0);
    linux_().namespaces.push_back({oci::NamespaceType::kUser, ""});
    linux_().uid_mappings = {{0, 100000, 65536}};
    linux_().gid_mappings = {{0, 100000, 65536}};
    std::erase_if(bundle_->spec().mounts, [](const oci::Mount& m) {
      return m.destination == "/sys" || m.destination == "/sys/fs/cgroup";
    });
    bundle_->spec().mounts.push_back({"/sys", "tmpfs", "tmpfs", {"nosuid", "nodev"}, {}, {}});
  }
};

TEST_F(BpfDelegateE2ePrivTest, UserNamespaceContainerSeesDelegatedBpffs) {
  GROVE_REQUIRE(missing_filesystem("bpf"));
  make_userns_spec();
  bundle_->spec().annotations[security::kBpfDelegateAnnotation] = "map_create|prog_load::any:";
  ASSERT_TRUE(bundle_->write_config());
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-bpf"});
  ASSERT_EQ(r.code, 0) << r.err;
  Json j = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.out;
  const Json* bpf = nullptr;
  for (const Json& m : j["mounts"]) {
    if (m["mount_point"] == "/sys/fs/bpf") bpf = &m;
  }
  ASSERT_NE(bpf, nullptr) << j["mounts"].dump();
  EXPECT_EQ((*bpf)["fstype"], "bpf");
  std::string super = (*bpf)["super_options"];
  RecordProperty("bpffs_super_options", super);
  // Names when the kernel has BTF to print them with, else the mask grove gave it.
  EXPECT_THAT(super, ::testing::AnyOf(HasSubstr("delegate_cmds=map_create:prog_load"),
                                      HasSubstr("delegate_cmds=0x21")));
  EXPECT_THAT(super, HasSubstr("delegate_progs=any"));
  EXPECT_THAT(std::string((*bpf)["options"]), HasSubstr("nosuid"));
}

TEST_F(BpfDelegateE2ePrivTest, RefusedWithoutUserNamespace) {
  bundle_->spec().annotations[security::kBpfDelegateAnnotation] = "any:::";
  ASSERT_TRUE(bundle_->write_config());
  Ran r = grove({"run", "--bundle", bundle_->bundle(), "c-bpf-nouserns"});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("run.grove.bpf.delegate")) << r.err;
  EXPECT_THAT(r.err, HasSubstr("needs a user namespace")) << r.err;
}

}  // namespace
}  // namespace grove::testing

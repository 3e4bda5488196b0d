// L0 tests of container::features_document() from hand-made sys::Features, and of the
// `grove features` verb's output shape.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "libcontainer/container/features.h"
#include "libcontainer/container/implemented.h"
#include "oci/features.h"
#include "runtime/cli.h"

namespace grove::container {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// A 6.18-like kernel: everything but the 7.x features.
sys::Features modern() {
  sys::Features f;
  for (sys::Probe* p : {&f.new_mount_api, &f.mount_setattr, &f.statmount, &f.idmapped_mounts,
                        &f.openat2, &f.clone3, &f.clone_into_cgroup, &f.pidfd, &f.time_ns,
                        &f.user_ns, &f.overlay, &f.erofs, &f.erofs_file_backed, &f.selinux,
                        &f.apparmor, &f.seccomp, &f.seccomp_notify, &f.landlock}) {
    *p = sys::Probe::yes();
  }
  f.open_tree_namespace = sys::Probe::no("open_tree(OPEN_TREE_NAMESPACE): EINVAL (kernel < 7.0)");
  f.fsmount_namespace = sys::Probe::no("kernel < 7.1");
  f.nullfs_root = sys::Probe::no("kernel < 7.0");
  f.erofs_inode_share = sys::Probe::no("kernel < 7.0");
  f.cgroup_layout = sys::CgroupLayout::kUnified;
  return f;
}

// A kernel that has nothing probed.
sys::Features ancient() {
  sys::Features f;
  f.cgroup_layout = sys::CgroupLayout::kLegacy;
  return f;
}

bool has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(CliFeaturesTest, MountStrategyFollowsOpenTreeNamespace) {
  sys::Features f = modern();
  EXPECT_EQ(features_document(f).annotations.at("run.grove.mount-strategy"), "pivot");
  EXPECT_EQ(default_mount_strategy(f), "pivot");
  f.open_tree_namespace = sys::Probe::yes();
  EXPECT_EQ(features_document(f).annotations.at("run.grove.mount-strategy"), "open-tree-namespace");
  EXPECT_EQ(default_mount_strategy(f), "open-tree-namespace");
}

TEST(CliFeaturesTest, ImageRootAnnotationsFollowTheProbe) {
  sys::Features f;
  f.erofs = sys::Probe::no("erofs not in /proc/filesystems");
  f.overlay = sys::Probe::yes();
  f.erofs_inode_share = sys::Probe::no("kernel 6.18 < 7.0");
  auto a = features_document(f).annotations;
  EXPECT_EQ(a.at("run.grove.rootfs.images"), "unsupported: erofs not in /proc/filesystems");
  EXPECT_EQ(a.at("run.grove.rootfs.upper"), "tmpfs|none|DIR");
  EXPECT_EQ(a.at("run.grove.image.domain"), "ignored: kernel 6.18 < 7.0");
  f.erofs = sys::Probe::yes();
  EXPECT_EQ(features_document(f).annotations.at("run.grove.rootfs.images"), "loop");
  f.erofs_file_backed = sys::Probe::yes();
  f.erofs_inode_share = sys::Probe::yes();
  a = features_document(f).annotations;
  EXPECT_EQ(a.at("run.grove.rootfs.images"), "file-backed");
  EXPECT_EQ(a.at("run.grove.image.domain"), "inode_share");
}

TEST(CliFeaturesTest, ProbeAnnotationsCarryReasons) {
  oci::Features doc = features_document(modern());
  EXPECT_EQ(doc.annotations.at("run.grove.probe.openat2"), "true");
  EXPECT_EQ(doc.annotations.at("run.grove.probe.open-tree-namespace"),
            "false: open_tree(OPEN_TREE_NAMESPACE): EINVAL (kernel < 7.0)");
  EXPECT_EQ(doc.annotations.at("run.grove.probe.cgroup-layout"), "v2");
  size_t probes = 0;
  for (const auto& [key, value] : doc.annotations) {
    if (key.rfind("run.grove.probe.", 0) != 0 || key == "run.grove.probe.cgroup-layout") continue;
    ++probes;
    EXPECT_TRUE(value == "true" || value.rfind("false: ", 0) == 0) << key << "=" << value;
  }
  EXPECT_EQ(probes, 22u) << "one annotation per sys::Features probe";
  // A false probe without a reason still says false.
  sys::Features bare = ancient();
  EXPECT_THAT(features_document(bare).annotations.at("run.grove.probe.clone3"),
              ::testing::StartsWith("false: "));
}

TEST(CliFeaturesTest, SecurityModulesFollowTheProbe) {
  sys::Features f = modern();
  f.selinux = sys::Probe::no("is_selinux_enabled() = 0");
  f.apparmor = sys::Probe::no("no apparmor");
  oci::Features doc = features_document(f);
  ASSERT_TRUE(doc.linux && doc.linux->selinux && doc.linux->apparmor);
  EXPECT_EQ(doc.linux->selinux->enabled, false);
  EXPECT_EQ(doc.linux->apparmor->enabled, false);
  f.selinux = sys::Probe::yes();
  EXPECT_EQ(features_document(f).linux->selinux->enabled, true);
}

TEST(CliFeaturesTest, IdmapAndRecursiveOptionsNeedTheKernel) {
  oci::Features doc = features_document(modern());
  ASSERT_TRUE(doc.linux && doc.linux->mount_extensions && doc.linux->mount_extensions->idmap);
  EXPECT_EQ(doc.linux->mount_extensions->idmap->enabled, true);
  EXPECT_TRUE(has(doc.mount_options, "rro"));
  EXPECT_TRUE(has(doc.mount_options, "bind"));
  EXPECT_TRUE(std::is_sorted(doc.mount_options.begin(), doc.mount_options.end()));

  sys::Features old = modern();
  old.idmapped_mounts = sys::Probe::no("kernel < 5.12");
  old.mount_setattr = sys::Probe::no("kernel < 5.12");
  oci::Features old_doc = features_document(old);
  EXPECT_EQ(old_doc.linux->mount_extensions->idmap->enabled, false);
  EXPECT_FALSE(has(old_doc.mount_options, "rro")) << "CRI-O enables RRO when rro is listed";
  EXPECT_FALSE(has(old_doc.mount_options, "idmap"));
  EXPECT_TRUE(has(old_doc.mount_options, "ro"));
}

TEST(CliFeaturesTest, NamespacesAndCgroups) {
  oci::Features doc = features_document(modern());
  EXPECT_THAT(doc.linux->namespaces,
              ElementsAre("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"));
  EXPECT_EQ(doc.linux->cgroup->v2, true);
  EXPECT_EQ(doc.linux->cgroup->v1, false);
  EXPECT_EQ(doc.linux->cgroup->systemd, false);

  oci::Features old = features_document(ancient());
  EXPECT_THAT(old.linux->namespaces, Not(Contains("user")));
  EXPECT_THAT(old.linux->namespaces, Not(Contains("time")));
  EXPECT_EQ(old.linux->cgroup->v1, true);
  EXPECT_EQ(old.linux->cgroup->v2, false);
}

TEST(CliFeaturesTest, SeccompListsOnlyWhatTheKernelHas) {
  oci::Features doc = features_document(modern());
  ASSERT_TRUE(doc.linux->seccomp);
  // Advertised as enabled only once grove applies linux.seccomp (container/implemented.h).
  EXPECT_EQ(doc.linux->seccomp->enabled, container::kImplementsSeccomp);
  EXPECT_TRUE(has(doc.linux->seccomp->actions, "SCMP_ACT_NOTIFY"));
  EXPECT_TRUE(has(doc.linux->seccomp->operators, "SCMP_CMP_MASKED_EQ"));
  EXPECT_TRUE(has(doc.linux->seccomp->archs, "SCMP_ARCH_X86_64"));
  EXPECT_TRUE(has(doc.linux->seccomp->supported_flags, "SECCOMP_FILTER_FLAG_TSYNC"));

  sys::Features no_notify = modern();
  no_notify.seccomp_notify = sys::Probe::no("kernel < 5.0");
  oci::Features nn = features_document(no_notify);
  EXPECT_FALSE(has(nn.linux->seccomp->actions, "SCMP_ACT_NOTIFY"));
  EXPECT_TRUE(has(nn.linux->seccomp->actions, "SCMP_ACT_ERRNO"));

  oci::Features off = features_document(ancient());
  EXPECT_EQ(off.linux->seccomp->enabled, false);
  EXPECT_THAT(off.linux->seccomp->actions, IsEmpty());
}

TEST(CliFeaturesTest, FixedParts) {
  oci::Features doc = features_document(modern());
  EXPECT_EQ(doc.oci_version_min, "1.0.0");
  EXPECT_EQ(doc.oci_version_max, "1.3.0");
  if (container::kImplementsHooks) {
    EXPECT_THAT(doc.hooks, ElementsAre("prestart", "createRuntime", "createContainer",
                                       "startContainer", "poststart", "poststop"));
  } else {
    EXPECT_THAT(doc.hooks, IsEmpty());  // never advertise what create would refuse
  }
  EXPECT_EQ(doc.linux->capabilities.front(), "CAP_CHOWN");
  EXPECT_TRUE(has(doc.linux->capabilities, "CAP_CHECKPOINT_RESTORE"));
  EXPECT_EQ(doc.linux->net_devices->enabled, true);  // net/net_devices.h
  EXPECT_THAT(doc.potentially_unsafe_config_annotations, ElementsAre("run.grove."));
}

TEST(CliFeaturesTest, DocumentSerializesToValidJson) {
  nlohmann::json j = nlohmann::json::parse(oci::to_json_string(features_document(modern())));
  EXPECT_EQ(j["ociVersionMax"], "1.3.0");
  EXPECT_EQ(j["linux"]["mountExtensions"]["idmap"]["enabled"], true);
  EXPECT_EQ(j["linux"]["selinux"]["enabled"], true);
  EXPECT_EQ(j["annotations"]["run.grove.mount-strategy"], "pivot");
}

TEST(CliFeaturesTest, VerbPrintsJsonForThisKernel) {
  std::ostringstream out, err;
  ASSERT_EQ(cli::run({"features"}, out, err), 0) << err.str();
  nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j["ociVersionMin"], "1.0.0");
  EXPECT_TRUE(j["annotations"]["run.grove.mount-strategy"].is_string());
  EXPECT_EQ(err.str(), "");
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::run({"features", "extra"}, out2, err2), 1);
  EXPECT_THAT(err2.str(), HasSubstr("requires exactly 0 argument(s)"));
}

}  // namespace
}  // namespace grove::container

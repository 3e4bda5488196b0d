// L0: parse/validate rules added for hostile-but-parseable configs (issue #9 corpus): NUL bytes in
// any string, (uid_t)-1 ids, more than NGROUPS_MAX groups, soft > hard rlimits, and mounts that
// would shadow /proc or files in it (runc's checkProcMount).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "oci/parse.h"
#include "oci/spec.h"

namespace oci {
namespace {

grove::Status parse_and_validate(const std::string& json) {
  auto spec = parse_config(json);
  if (!spec) return std::move(spec).error();
  return validate(*spec);
}

std::string with_process(const std::string& extra) {
  return R"({"ociVersion":"1.3.0","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/",)" +
         extra + "}}";
}

std::string with_mount(const std::string& mount) {
  return R"({"ociVersion":"1.3.0","root":{"path":"rootfs"},"mounts":[)" +
         std::string(R"({"destination":"/proc","type":"proc","source":"proc"},)") + mount + "]}";
}

std::string message(const grove::Status& st) { return st ? "ok" : st.error().message(); }

TEST(OciHostileTest, NulBytesAreRefusedInEveryString) {
  // "\u0000" in JSON text: a NUL that C APIs would silently cut at.
  EXPECT_EQ(
      message(parse_and_validate(with_process(R"("user":{"uid":0,"gid":0,"username":"a\u0000"})"))),
      "/process/user/username: contains a NUL byte");
  EXPECT_EQ(message(parse_and_validate(R"({"ociVersion":"1.3.0","root":{"path":"rootfs"},
      "process":{"args":["sh"],"cwd":"/\u0000tmp"}})")),
            "/process/cwd: contains a NUL byte");
  EXPECT_EQ(message(parse_and_validate(R"({"ociVersion":"1.3.0","root":{"path":"rootfs"},
      "hostname":"h\u0000x","linux":{"namespaces":[{"type":"uts"}]}})")),
            "/hostname: contains a NUL byte");
  EXPECT_EQ(message(parse_and_validate(R"({"ociVersion":"1.3.0","root":{"path":"rootfs"},
      "hooks":{"prestart":[{"path":"/bin/true\u0000x"}]}})")),
            "/hooks/prestart/0/path: contains a NUL byte");
  EXPECT_EQ(message(parse_and_validate(
                with_mount(R"({"destination":"/m","type":"tmpfs","options":["a\u0000"]})"))),
            "/mounts/1/options/0: contains a NUL byte");
}

TEST(OciHostileTest, MinusOneIdsAndTooManyGroupsAreRefused) {
  EXPECT_EQ(message(parse_and_validate(with_process(R"("user":{"uid":4294967295,"gid":0})"))),
            "/process/user/uid: 4294967295 ((uid_t)-1) is not an id");
  EXPECT_EQ(message(parse_and_validate(with_process(R"("user":{"uid":0,"gid":4294967295})"))),
            "/process/user/gid: 4294967295 ((gid_t)-1) is not an id");
  EXPECT_EQ(message(parse_and_validate(
                with_process(R"("user":{"uid":0,"gid":0,"additionalGids":[1,4294967295]})"))),
            "/process/user/additionalGids/1: 4294967295 ((gid_t)-1) is not an id");
  std::string gids = "[0";
  for (int i = 1; i <= 65536; ++i) gids += "," + std::to_string(i);
  gids += "]";
  EXPECT_EQ(message(parse_and_validate(
                with_process(R"("user":{"uid":0,"gid":0,"additionalGids":)" + gids + "}"))),
            "/process/user/additionalGids: 65537 groups, more than NGROUPS_MAX (65536)");
  EXPECT_EQ(message(parse_and_validate(
                with_process(R"("user":{"uid":4294967294,"gid":0,"additionalGids":[65534]})"))),
            "ok");
}

TEST(OciHostileTest, SoftRlimitAboveHardIsRefused) {
  EXPECT_EQ(message(parse_and_validate(
                with_process(R"("rlimits":[{"type":"RLIMIT_CORE","soft":0,"hard":0},)"
                             R"({"type":"RLIMIT_NOFILE","soft":2048,"hard":1024}])"))),
            "/process/rlimits/1/soft: soft limit 2048 exceeds the hard limit 1024");
  EXPECT_EQ(message(parse_and_validate(
                with_process(R"("rlimits":[{"type":"RLIMIT_NOFILE","soft":1024,"hard":1024}])"))),
            "ok");
}

TEST(OciHostileTest, MountsOnOrInsideProcAreRefused) {
  for (const char* m : {
           R"({"destination":"/proc","type":"tmpfs","source":"tmpfs"})",
           R"({"destination":"/proc/","type":"bind","source":"/tmp/vol","options":["rbind"]})",
           R"({"destination":"/proc/self/attr","type":"tmpfs"})",
           R"({"destination":"/proc/sys","type":"bind","source":"/tmp/x","options":["bind"]})",
           R"({"destination":"//proc/./sysrq-trigger","type":"bind","source":"/dev/null"})",
       }) {
    std::string got = message(parse_and_validate(with_mount(m)));
    EXPECT_THAT(got, ::testing::StartsWith("/mounts/1/destination: ")) << m;
  }
  for (const char* m : {
           R"({"destination":"/proc","type":"proc","source":"proc"})",
           R"({"destination":"/proc","type":"bind","source":"/proc","options":["rbind"]})",
           R"({"destination":"/proc/meminfo","type":"bind",)"
           R"("source":"/var/lib/lxcfs/proc/meminfo","options":["bind"]})",
           R"({"destination":"/proc/sys/kernel/ns_last_pid","type":"bind","source":"/x"})",
           R"({"destination":"/procfoo","type":"tmpfs"})",
       }) {
    EXPECT_EQ(message(parse_and_validate(with_mount(m))), "ok") << m;
  }
}

}  // namespace
}  // namespace oci

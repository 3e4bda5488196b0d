// L0 tests of oci::parse_config / parse_process / validate over the corpus in tests/data/oci.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "oci/parse.h"
#include "oci/spec.h"
#include "tests/support/files.h"

namespace oci {
namespace {

namespace fs = std::filesystem;
using ::grove::testing::read_text_file;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const fs::path kData = fs::path(GROVE_SOURCE_DIR) / "tests/data/oci";

std::vector<fs::path> corpus(const std::string& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kData / dir)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// parse_config, then validate: the first error either gives.
grove::Status parse_and_validate(std::string_view json) {
  auto spec = parse_config(json);
  if (!spec) return std::move(spec).error();
  return validate(*spec);
}

std::string minimal_with(const std::string& process_json) {
  return R"({"ociVersion":"1.3.0","root":{"path":"rootfs"},"process":)" + process_json + "}";
}

TEST(OciParseTest, ValidCorpusParsesAndValidates) {
  auto files = corpus("valid");
  ASSERT_GE(files.size(), 10u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    auto spec = parse_config(read_text_file(f));
    ASSERT_TRUE(spec) << spec.error().message();
    // validate() applies Linux rules; the FreeBSD/z/OS examples are only parsed.
    if (!spec->linux && (spec->freebsd || spec->zos)) continue;
    auto st = validate(*spec);
    EXPECT_TRUE(st) << st.error().message();
  }
}

TEST(OciParseTest, InvalidCorpusFailsWithExpectedLine) {
  auto files = corpus("invalid");
  ASSERT_GE(files.size(), 25u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    fs::path err_file = f;
    err_file.replace_extension(".err");
    std::string want = read_text_file(err_file);
    ASSERT_FALSE(want.empty()) << "missing " << err_file;
    if (want.back() == '\n') want.pop_back();
    auto st = parse_and_validate(read_text_file(f));
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code(), EINVAL);
    EXPECT_EQ(st.error().message(), want);
    EXPECT_EQ(st.error().message().find('\n'), std::string::npos);
  }
}

TEST(OciParseTest, ConfigMdExampleFieldsLandInTheRightMembers) {
  auto spec = parse_config(read_text_file(kData / "valid/config-md-example.json"));
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->oci_version, "1.0.1");
  ASSERT_TRUE(spec->process);
  const Process& p = *spec->process;
  EXPECT_TRUE(p.terminal);
  EXPECT_EQ(p.user.uid, 1u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.args, std::vector<std::string>{"sh"});
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->ambient, std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
  EXPECT_EQ(p.oom_score_adj, 100);
  ASSERT_TRUE(p.io_priority);
  EXPECT_EQ(p.io_priority->klass, "IOPRIO_CLASS_IDLE");
  EXPECT_EQ(p.io_priority->priority, 4);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(spec->root->path, "rootfs");
  EXPECT_TRUE(spec->root->readonly);
  EXPECT_EQ(spec->hostname, "slartibartfast");
  ASSERT_EQ(spec->mounts.size(), 7u);
  EXPECT_EQ(spec->mounts[2].destination, "/dev/pts");
  EXPECT_EQ(spec->mounts[2].options.back(), "gid=5");
  ASSERT_EQ(spec->hooks.poststart.size(), 1u);
  EXPECT_EQ(spec->hooks.poststart[0].timeout, 5);
  EXPECT_EQ(spec->annotations.at("com.example.key2"), "value2");
}

TEST(OciParseTest, ConfigMdExampleLinuxSection) {
  auto spec = parse_config(read_text_file(kData / "valid/config-md-example.json"));
  ASSERT_TRUE(spec) << spec.error().message();
  ASSERT_TRUE(spec->linux);
  const Linux& l = *spec->linux;
  EXPECT_EQ(l.uid_mappings[0], (IdMapping{0, 1000, 32000}));
  EXPECT_EQ(l.sysctl.at("net.core.somaxconn"), "256");
  EXPECT_EQ(l.cgroups_path, "/myRuntime/myContainer");
  ASSERT_TRUE(l.resources && l.resources->memory && l.resources->cpu);
  EXPECT_EQ(l.resources->memory->kernel, -1);
  EXPECT_EQ(l.resources->memory->disable_oom_killer, false);
  EXPECT_EQ(l.resources->cpu->cpus, "2-3");
  EXPECT_EQ(l.resources->pids->limit, 32771);
  EXPECT_EQ(l.resources->block_io->weight_device[1].leaf_weight, std::nullopt);
  EXPECT_EQ(l.resources->hugepage_limits[0].page_size, "2MB");
  EXPECT_EQ(l.resources->network->class_id, 1048577u);
  EXPECT_EQ(l.rootfs_propagation, "slave");
  ASSERT_TRUE(l.seccomp);
  EXPECT_EQ(l.seccomp->syscalls[0].names, (std::vector<std::string>{"getcwd", "chmod"}));
  EXPECT_EQ(l.time_offsets.at("boottime").secs, 604800);
  ASSERT_EQ(l.namespaces.size(), 8u);
  EXPECT_EQ(l.namespaces[7].type, NamespaceType::kTime);
  EXPECT_EQ(l.devices[0].file_mode, 438u);
  EXPECT_THAT(l.mount_label, StartsWith("system_u:object_r"));
  EXPECT_TRUE(has_namespace(*spec, NamespaceType::kUser));
  EXPECT_EQ(find_namespace(*spec, NamespaceType::kNetwork)->path, "");
}

TEST(OciParseTest, AcceptsEverySupportedVersion) {
  for (std::string v : {"1.0.0", "1.0.1", "1.0.2-dev", "1.0.0-rc5", "1.1.0-rc.3", "1.2.1", "1.3.0",
                        "1.3.7", "1.3.0+dev", "1.3.0-rc.1+build.5"}) {
    SCOPED_TRACE(v);
    auto spec = parse_config(R"({"ociVersion":")" + v + R"(","root":{"path":"r"}})");
    ASSERT_TRUE(spec) << spec.error().message();
    EXPECT_EQ(spec->oci_version, v);
  }
}

TEST(OciParseTest, RejectsUnsupportedVersions) {
  for (std::string v : {"0.9.9", "1.4.0", "2.0.0", "1.3", "v1.3.0", "1.3.0-", "1.3.0 ", "",
                        "1.3.0-r@c", "01.3.x"}) {
    SCOPED_TRACE(v);
    auto spec = parse_config(R"({"ociVersion":")" + v + R"(","root":{"path":"r"}})");
    ASSERT_FALSE(spec);
    EXPECT_THAT(spec.error().message(), StartsWith("/ociVersion: unsupported version \""));
  }
}

TEST(OciParseTest, UnknownFieldsAreIgnoredAndNullIsAbsent) {
  auto spec = parse_config(R"({"ociVersion":"1.3.0","root":{"path":"r","future":1},
      "hostname":null,"process":null,"x-vendor":{"deep":[1,2]},
      "linux":{"namespaces":[{"type":"uts","path":null}],"newThing":true}})");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->hostname, "");
  EXPECT_FALSE(spec->process);
  ASSERT_TRUE(spec->linux);
  EXPECT_EQ(spec->linux->namespaces[0].path, "");
}

TEST(OciParseTest, EmptyNamespacePathMeansNewNamespace) {
  auto spec = parse_config(R"({"ociVersion":"1.3.0","root":{"path":"r"},
      "linux":{"namespaces":[{"type":"pid","path":""}]}})");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->linux->namespaces[0].path, "");
}

TEST(OciParseTest, Int64AndUint64Extremes) {
  auto spec = parse_config(R"({"ociVersion":"1.3.0","root":{"path":"r"},"linux":{"resources":{
      "memory":{"limit":-9223372036854775808,"swappiness":18446744073709551615}}}})");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->linux->resources->memory->limit, INT64_MIN);
  EXPECT_EQ(spec->linux->resources->memory->swappiness, UINT64_MAX);
  auto over = parse_config(R"({"ociVersion":"1.3.0","root":{"path":"r"},"linux":{"resources":{
      "memory":{"limit":9223372036854775808}}}})");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().message(),
            "/linux/resources/memory/limit: value 9223372036854775808 out of range for int64");
}

TEST(OciParseTest, ParseErrorsGiveByteOffsetOnOneLine) {
  auto spec = parse_config("{\"ociVersion\": \"1.3.0\",\n\t\"root\": {\"path\": \"r\x01\"}}");
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().code(), EINVAL);
  EXPECT_THAT(spec.error().message(), StartsWith("config.json: parse error at byte "));
  EXPECT_EQ(spec.error().message().find('\n'), std::string::npos);
  EXPECT_EQ(spec.error().message().find('\x01'), std::string::npos);
}

TEST(OciParseTest, DeepNestingIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  auto spec = parse_config(deep);
  ASSERT_FALSE(spec);
  EXPECT_THAT(spec.error().message(), StartsWith("config.json: parse error"));
  std::string closed = std::string(20000, '[') + std::string(20000, ']');
  auto arr = parse_config(closed);
  ASSERT_FALSE(arr);
  EXPECT_EQ(arr.error().message(), "config.json: expected object, got array");
}

TEST(OciParseTest, InvalidUtf8IsRejected) {
  auto spec = parse_config("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"\xff\"}}");
  ASSERT_FALSE(spec);
  EXPECT_THAT(spec.error().message(), StartsWith("config.json: parse error at byte "));
}

TEST(OciParseTest, EnvNameMustNotBeEmpty) {
  auto spec = parse_config(
      minimal_with(R"({"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/","env":["=x"]})"));
  ASSERT_FALSE(spec);
  EXPECT_EQ(spec.error().message(), "/process/env/0: environment variable name must not be empty");
}

TEST(OciParseTest, AbsentUserMeansRoot) {
  auto spec = parse_config(minimal_with(R"({"args":["sh"],"cwd":"/"})"));
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->process->user, User{});
}

TEST(OciParseTest, PipeDevicesNeedNoNumbers) {
  auto spec = parse_config(R"({"ociVersion":"1.3.0","root":{"path":"r"},
      "linux":{"devices":[{"path":"/dev/p","type":"p"}]}})");
  ASSERT_TRUE(spec) << spec.error().message();
  EXPECT_EQ(spec->linux->devices[0].major, 0);
}

TEST(OciParseTest, ProcessJsonPointersAreRelative) {
  auto p = parse_process(R"({"user":{"uid":0,"gid":0},"args":["ls"]})");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message(), "/cwd: required field missing");
  auto bad_user = parse_process(R"({"user":{"uid":"root","gid":0},"args":["ls"],"cwd":"/"})");
  ASSERT_FALSE(bad_user);
  EXPECT_EQ(bad_user.error().message(), "/user/uid: expected uint32, got string");
  auto syntax = parse_process("{");
  ASSERT_FALSE(syntax);
  EXPECT_THAT(syntax.error().message(), StartsWith("process.json: parse error at byte 2: "));
  auto not_obj = parse_process("\"x\"");
  ASSERT_FALSE(not_obj);
  EXPECT_EQ(not_obj.error().message(), "process.json: expected object, got string");
}

TEST(OciParseTest, ProcessJsonParses) {
  auto p = parse_process(R"({"terminal":false,"user":{"uid":5,"gid":6,"umask":63},
      "args":["ls","-l"],"env":["A=b"],"cwd":"/tmp","noNewPrivileges":true,
      "capabilities":{"bounding":["CAP_KILL"]}})");
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->user.uid, 5u);
  EXPECT_EQ(p->user.umask, 63u);
  EXPECT_EQ(p->args.size(), 2u);
  EXPECT_TRUE(p->no_new_privileges);
  EXPECT_EQ(p->capabilities->bounding, std::vector<std::string>{"CAP_KILL"});
}

TEST(OciParseTest, ValidateAllowsJoinedUtsAndSysctlSlashes) {
  auto spec = parse_config(R"({"ociVersion":"1.3.0","root":{"path":"r"},"hostname":"h",
      "linux":{"namespaces":[{"type":"uts","path":"/proc/1/ns/uts"},{"type":"network"}],
               "sysctl":{"net/ipv4/ip_forward":"1"}}})");
  ASSERT_TRUE(spec) << spec.error().message();
  auto st = validate(*spec);
  EXPECT_TRUE(st) << st.error().message();
}

TEST(OciParseTest, ValidateTimeOffsetsNeedANewTimeNamespace) {
  auto spec = parse_config(R"({"ociVersion":"1.3.0","root":{"path":"r"},
      "linux":{"namespaces":[{"type":"time","path":"/proc/1/ns/time"}],
               "timeOffsets":{"boottime":{"secs":1}}}})");
  ASSERT_TRUE(spec) << spec.error().message();
  auto st = validate(*spec);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().message(), "/linux/timeOffsets: requires a new time namespace");
}

TEST(OciParseTest, NamespaceTypeNames) {
  for (auto t :
       {NamespaceType::kPid, NamespaceType::kNetwork, NamespaceType::kMount, NamespaceType::kIpc,
        NamespaceType::kUts, NamespaceType::kUser, NamespaceType::kCgroup, NamespaceType::kTime}) {
    EXPECT_EQ(namespace_type_from_string(to_string(t)), t);
  }
  EXPECT_EQ(to_string(NamespaceType::kNetwork), "network");
  EXPECT_EQ(namespace_type_from_string("net"), std::nullopt);
  EXPECT_EQ(namespace_type_from_string("PID"), std::nullopt);
}

TEST(OciParseTest, FindNamespaceWithoutLinuxSection) {
  Spec spec;
  EXPECT_EQ(find_namespace(spec, NamespaceType::kPid), nullptr);
  EXPECT_FALSE(has_namespace(spec, NamespaceType::kPid));
}

}  // namespace
}  // namespace oci

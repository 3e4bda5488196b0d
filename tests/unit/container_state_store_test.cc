// L0 tests of container/state_store: id rules, atomic saves, the per-container lock, list and
// remove, in a mkdtemp root (no root needed).

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "libcontainer/container/state_store.h"
#include "libcontainer/sys/linux_ops.h"
#include "tests/support/fake_ops.h"

namespace grove::container {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ContainerStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/grove-store-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/root";  // does not exist yet: create() makes it
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  ContainerRecord record(const std::string& id) {
    ContainerRecord r;
    r.oci_version = "1.2.0";
    r.id = id;
    r.phase = "created";
    r.init_pid = 4242;
    r.init_start_time = 987654;
    r.bundle = "/b";
    r.rootfs = "/b/rootfs";
    r.created = "2024-05-01T10:00:00.123456789Z";
    r.annotations = {{"k", "v"}};
    return r;
  }

  std::string dir_;
  std::string root_;
  sys::LinuxOps ops_;
};

TEST(ContainerIdTest, AcceptsRuncIds) {
  for (const char* id : {"a", "c1", "my-container_1.2", "a+b", "a,b", "A.B", "..a"}) {
    EXPECT_TRUE(validate_id(id)) << id;
  }
}

TEST(ContainerIdTest, RejectsBadIds) {
  for (const char* id : {"", ".", "..", "a/b", "../x", "a b", "a\n", "a:b", "é", ".cache"}) {
    auto r = validate_id(id);
    ASSERT_FALSE(r) << id;
    EXPECT_EQ(r.error().code(), EINVAL);
    EXPECT_THAT(r.error().message(), HasSubstr("invalid container ID format"));
  }
}

TEST(ContainerIdTest, ErrorStringsEnginesMatch) {
  EXPECT_EQ(not_exist_error("x").message(), "container \"x\" does not exist");
  EXPECT_EQ(not_exist_error("x").code(), ENOENT);
  EXPECT_THAT(exists_error("x").message(), HasSubstr("container with given ID already exists"));
}

TEST_F(ContainerStateStoreTest, SaveLoadRoundTrip) {
  StateStore store(ops_, root_);
  auto lock = store.create("c1");
  ASSERT_TRUE(lock) << lock.error().message();
  ASSERT_TRUE(store.save(record("c1")));
  auto loaded = store.load("c1");
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->init_pid, 4242);
  EXPECT_EQ(loaded->init_start_time, 987654u);
  EXPECT_EQ(loaded->phase, "created");
  EXPECT_EQ(loaded->annotations.at("k"), "v");
  EXPECT_EQ(loaded->created, "2024-05-01T10:00:00.123456789Z");
  // Atomic replace: no temporary is left behind, and the file is private.
  EXPECT_NE(::access((root_ + "/c1/.state.json.tmp").c_str(), F_OK), 0);
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/c1/state.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// The second and later saves swap the new record in (RENAME_EXCHANGE) and unlink the old one:
// the reader sees the newest record, one inode per save, no temporary left.
TEST_F(ContainerStateStoreTest, ResaveReplacesRecordAndLeavesNoTemporary) {
  StateStore store(ops_, root_);
  auto lock = store.create("c1");
  ASSERT_TRUE(lock) << lock.error().message();
  ContainerRecord r = record("c1");
  ASSERT_TRUE(store.save(r));
  struct stat first;
  ASSERT_EQ(::stat((root_ + "/c1/state.json").c_str(), &first), 0);
  // A reader holding the old file keeps reading the old record.
  UniqueFd old_fd(::open((root_ + "/c1/state.json").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(old_fd);
  r.phase = "running";
  r.init_pid = 77;
  ASSERT_TRUE(store.save(r));
  r.phase = "stopped";
  ASSERT_TRUE(store.save(r));
  auto loaded = store.load("c1");
  ASSERT_TRUE(loaded) << loaded.error().message();
  EXPECT_EQ(loaded->phase, "stopped");
  EXPECT_EQ(loaded->init_pid, 77);
  struct stat now;
  ASSERT_EQ(::stat((root_ + "/c1/state.json").c_str(), &now), 0);
  EXPECT_NE(now.st_ino, first.st_ino);
  EXPECT_EQ(now.st_mode & 0777, 0600u);
  EXPECT_NE(::access((root_ + "/c1/.state.json.tmp").c_str(), F_OK), 0);
  struct stat held;
  ASSERT_EQ(::fstat(old_fd.get(), &held), 0);
  EXPECT_EQ(held.st_nlink, 0u);  // the replaced record is unlinked, not left under another name
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(root_ + "/c1")) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_THAT(names, ElementsAre("lock", "state.json"));
}

TEST_F(ContainerStateStoreTest, DuplicateCreateIsEexist) {
  StateStore store(ops_, root_);
  auto first = store.create("c1");
  ASSERT_TRUE(first);
  auto second = store.create("c1");
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code(), EEXIST);
}

TEST_F(ContainerStateStoreTest, CreateBuildsAsideAndLeavesNoTempDir) {
  // A crashed grove that had our pid left its half-built directory: create() reclaims it.
  ASSERT_EQ(::mkdir(root_.c_str(), 0700), 0);
  const std::string stale = root_ + "/.tmp-" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(stale.c_str(), 0711), 0);
  int fd = ::open((stale + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  StateStore store(ops_, root_);
  auto first = store.create("c1");
  ASSERT_TRUE(first) << first.error().message();
  auto second = store.create("c1");  // the loser of a race takes this path too
  ASSERT_FALSE(second);
  EXPECT_THAT(second.error().message(), HasSubstr("container with given ID already exists"));
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(root_)) {
    names.push_back(e.path().filename());
  }
  EXPECT_THAT(names, ElementsAre("c1"));
  struct stat st;
  ASSERT_EQ(::stat((root_ + "/c1").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0711u);
}

TEST_F(ContainerStateStoreTest, MissingContainerDoesNotExist) {
  StateStore store(ops_, root_);
  auto l = store.lock("nope");
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code(), ENOENT);
  EXPECT_THAT(l.error().message(), HasSubstr("does not exist"));
  auto r = store.load("nope");
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message(), HasSubstr("does not exist"));
}

TEST_F(ContainerStateStoreTest, LockIsExclusiveAcrossOpenFiles) {
  StateStore store(ops_, root_);
  auto held = store.create("c1");
  ASSERT_TRUE(held);
  int fd = ::open((root_ + "/c1/lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_NE(::flock(fd, LOCK_EX | LOCK_NB), 0);
  EXPECT_EQ(errno, EWOULDBLOCK);
  held->release();
  EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  ::close(fd);
}

TEST_F(ContainerStateStoreTest, LockAfterRemoveSaysDoesNotExist) {
  StateStore store(ops_, root_);
  auto lock = store.create("c1");
  ASSERT_TRUE(lock);
  ASSERT_TRUE(store.save(record("c1")));
  // A waiter that opened the lock file before the delete, then gets the lock after it.
  int waiter = ::open((root_ + "/c1/lock").c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(waiter, 0);
  ASSERT_TRUE(store.remove("c1", *lock));
  lock->release();
  struct stat st;
  ASSERT_EQ(::fstat(waiter, &st), 0);
  EXPECT_EQ(st.st_nlink, 0u);  // what lock() checks
  ::close(waiter);
  EXPECT_NE(::access((root_ + "/c1").c_str(), F_OK), 0);
  auto again = store.lock("c1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code(), ENOENT);
}

TEST_F(ContainerStateStoreTest, ListSkipsDirsWithoutState) {
  StateStore store(ops_, root_);
  auto empty = store.list();
  ASSERT_TRUE(empty);  // missing root lists nothing
  EXPECT_TRUE(empty->empty());
  for (const char* id : {"b", "a", "half"}) {
    auto l = store.create(id);
    ASSERT_TRUE(l);
    if (std::string(id) != "half") {
      ASSERT_TRUE(store.save(record(id)));
    }
  }
  auto ids = store.list();
  ASSERT_TRUE(ids);
  EXPECT_THAT(*ids, ElementsAre("a", "b"));
}

TEST_F(ContainerStateStoreTest, CorruptStateIsEinval) {
  StateStore store(ops_, root_);
  auto l = store.create("c1");
  ASSERT_TRUE(l);
  int fd = ::open((root_ + "/c1/state.json").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "{\"id\": 3", 8), 8);
  ::close(fd);
  auto r = store.load("c1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), EINVAL);
  EXPECT_THAT(r.error().message(), HasSubstr("state.json"));
}

TEST(ContainerRecordTest, JsonRoundTrip) {
  ContainerRecord r;
  r.id = "x";
  r.phase = "running";
  r.paused = true;
  r.own_pid_ns = true;
  r.mount_strategy = "pivot";
  r.rdt_dir = "/sys/fs/resctrl/x";
  r.rdt_created = true;
  r.rdt_mon_dir = "/sys/fs/resctrl/x/mon_groups/x";
  auto back = record_from_json(record_to_json(r));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->rdt_dir, r.rdt_dir);
  EXPECT_TRUE(back->rdt_created);
  EXPECT_EQ(back->rdt_mon_dir, r.rdt_mon_dir);
  EXPECT_EQ(back->phase, "running");
  EXPECT_TRUE(back->paused);
  EXPECT_TRUE(back->own_pid_ns);
  EXPECT_EQ(back->mount_strategy, "pivot");
  EXPECT_EQ(record_from_json("{\"id\": 7}").error().code(), EINVAL);
}

}  // namespace
}  // namespace grove::container

namespace grove::container {
namespace {

// The hooks stored at create are what poststart/poststop run later (the bundle may be gone).
TEST(ContainerRecordHooksTest, HooksRoundTripThroughTheRecord) {
  ContainerRecord r;
  r.id = "c1";
  r.hooks.poststop.push_back(oci::Hook{"/usr/bin/cleanup", {"cleanup", "-f"}, {"A=1"}, 5});
  r.hooks.poststart.push_back(oci::Hook{"/bin/true", {}, {}, std::nullopt});
  r.hooks.create_runtime.push_back(oci::Hook{"/bin/net", {}, {}, std::nullopt});
  std::string text = record_to_json(r);
  EXPECT_NE(text.find("\"poststop\""), std::string::npos);
  auto back = record_from_json(text);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->hooks, r.hooks);

  ContainerRecord none;
  none.id = "c2";
  EXPECT_EQ(record_to_json(none).find("\"hooks\""), std::string::npos);
  auto bad = record_from_json(R"({"id": "c3", "hooks": {"poststop": [{"path": 7}]}})");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), EINVAL);
}

// L1: the store's calls through sys::Ops, with a failure injected where a rename can fail.
TEST(ContainerStateStoreFakeTest, CreateThatLosesTheRenameRaceLeavesNothing) {
  testing::FakeOps ops;
  StateStore store(ops, "/run/g");
  const std::string tmp = "/run/g/.tmp-" + std::to_string(ops.getpid());
  ops.fail_next("renameat2", EEXIST);  // a concurrent create of the same id won
  auto lock = store.create("c1");
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code(), EEXIST);
  EXPECT_THAT(lock.error().message(), HasSubstr("container with given ID already exists"));
  const std::string t = ops.trace_text();
  EXPECT_THAT(t, HasSubstr("renameat2(AT_FDCWD, \"" + tmp + "\", AT_FDCWD, \"/run/g/c1\""));
  EXPECT_THAT(t, HasSubstr("unlinkat(AT_FDCWD, \"" + tmp + "/lock\", 0)"));
  EXPECT_THAT(ops.trace().back(), HasSubstr("unlinkat(AT_FDCWD, \"" + tmp + "\", AT_REMOVEDIR)"));
}

TEST(ContainerStateStoreFakeTest, SaveThatCannotRenameRemovesItsTempFile) {
  testing::FakeOps ops;
  StateStore store(ops, "/run/g");
  ContainerRecord r;
  r.id = "c1";
  ops.fail_next("renameat2", ENOENT);  // first save: no state.json to exchange with
  ops.fail_next("renameat2", EIO);     // and the plain rename fails too
  Status st = store.save(r);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), EIO);
  EXPECT_THAT(ops.trace().back(),
              HasSubstr("unlinkat(AT_FDCWD, \"/run/g/c1/.state.json.tmp\", 0)"));
}

}  // namespace
}  // namespace grove::container

// L1: FakeOps itself: traces, labelled fds, failure injection, canned results, leak checks.

#include "tests/support/fake_ops.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "libcontainer/sys/uapi.h"

namespace grove::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(FakeOpsTest, TracesMountSequenceWithFdLabels) {
  FakeOps ops;
  UniqueFd root = ops.make_fd("root");
  auto fsfd = ops.fsopen("tmpfs", 0);
  ASSERT_TRUE(fsfd);
  ASSERT_TRUE(ops.fsconfig_set_string(fsfd->get(), "mode", "0755"));
  ASSERT_TRUE(ops.fsconfig_create(fsfd->get()));
  auto mnt = ops.fsmount(fsfd->get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID);
  ASSERT_TRUE(mnt);
  ASSERT_TRUE(ops.move_mount(mnt->get(), "", root.get(), "proc", MOVE_MOUNT_F_EMPTY_PATH));
  EXPECT_THAT(
      ops.trace(),
      ElementsAre("fsopen(\"tmpfs\", 0)", "fsconfig_set_string(<fsctx:tmpfs>, \"mode\", \"0755\")",
                  "fsconfig_create(<fsctx:tmpfs>)",
                  "fsmount(<fsctx:tmpfs>, FSMOUNT_CLOEXEC, NOSUID)",
                  "move_mount(<fs:tmpfs>, \"\", <root>, \"proc\", F_EMPTY_PATH)"));
}

TEST(FakeOpsTest, HandsOutRealFdsAbove1000AndReportsLeaks) {
  FakeOps ops;
  auto tree = ops.open_tree(AT_FDCWD, "/src", OPEN_TREE_CLONE | AT_RECURSIVE);
  ASSERT_TRUE(tree);
  EXPECT_GE(tree->get(), 1000);
  EXPECT_EQ(ops.fd_name(tree->get()), "<tree:/src>");
  EXPECT_THAT(ops.open_fds(), ElementsAre("<tree:/src>"));
  tree->reset();
  EXPECT_THAT(ops.open_fds(), IsEmpty());
}

TEST(FakeOpsTest, FdNamesForUnknownAndSpecialFds) {
  FakeOps ops;
  EXPECT_EQ(ops.fd_name(AT_FDCWD), "AT_FDCWD");
  EXPECT_EQ(ops.fd_name(-1), "-1");
  EXPECT_EQ(ops.fd_name(7), "<fd 7>");
  ops.label_fd(7, "rootfs");
  EXPECT_EQ(ops.fd_name(7), "<rootfs>");
}

TEST(FakeOpsTest, FailNextFailsOnceWithFrameNamingTheCall) {
  FakeOps ops;
  ops.label_fd(3, "root");
  ops.fail_next("mount_setattr", EPERM);
  sys::MountAttr attr{MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, 0, -1};
  Status first = ops.mount_setattr(3, "proc", 0, attr);
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code(), EPERM);
  EXPECT_EQ(first.error().message(),
            "mount_setattr(<root>, \"proc\", 0, RDONLY|NOSUID): EPERM (Operation not permitted)");
  EXPECT_TRUE(ops.mount_setattr(3, "proc", 0, attr));
  EXPECT_EQ(ops.trace()[0], "mount_setattr(<root>, \"proc\", 0, RDONLY|NOSUID) = EPERM");
  EXPECT_EQ(ops.calls("mount_setattr"), 2);
}

TEST(FakeOpsTest, FailAtCountsCallsSinceConstruction) {
  FakeOps ops;
  ops.fail_at("mkdirat", 3, EEXIST);
  EXPECT_TRUE(ops.mkdirat(AT_FDCWD, "a", 0755));
  EXPECT_TRUE(ops.mkdirat(AT_FDCWD, "b", 0755));
  Status third = ops.mkdirat(AT_FDCWD, "c", 0755);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code(), EEXIST);
  EXPECT_TRUE(ops.mkdirat(AT_FDCWD, "d", 0755));
}

TEST(FakeOpsTest, FailAlwaysForcesFallbacksAndNewFdCallsReturnNoFd) {
  FakeOps ops;
  ops.fail_always("openat2", ENOSYS);
  for (int i = 0; i < 3; ++i) {
    auto r = ops.openat2(AT_FDCWD, "x", sys::OpenHow{O_PATH, 0, RESOLVE_IN_ROOT});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code(), ENOSYS);
  }
  EXPECT_THAT(ops.open_fds(), IsEmpty());
  EXPECT_THAT(ops.trace()[0], HasSubstr("openat2(AT_FDCWD, \"x\", O_RDONLY|O_PATH, "
                                        "RESOLVE_IN_ROOT) = ENOSYS"));
}

TEST(FakeOpsTest, CannedFilesAndRecordedWrites) {
  FakeOps ops;
  ops.set_file("/proc/filesystems", "nodev\ttmpfs\n");
  auto r = ops.read_file_at(AT_FDCWD, "/proc/filesystems");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "nodev\ttmpfs\n");
  auto missing = ops.read_file_at(AT_FDCWD, "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ENOENT);
  ASSERT_TRUE(ops.write_file_at(AT_FDCWD, "cgroup.procs", "42"));
  EXPECT_THAT(ops.writes(), ElementsAre(std::pair<std::string, std::string>("cgroup.procs", "42")));
}

TEST(FakeOpsTest, Clone3ParentAndChildPaths) {
  FakeOps ops;
  sys::CloneArgs args;
  args.flags = CLONE_NEWNS | CLONE_NEWPID;
  args.want_pidfd = true;
  auto parent = ops.clone3(args);
  ASSERT_TRUE(parent);
  EXPECT_EQ(parent->pid, 4242);
  EXPECT_EQ(ops.fd_name(parent->pidfd.get()), "<pidfd:4242>");
  ops.set_clone3_pid(0);
  auto child = ops.clone3(args);
  ASSERT_TRUE(child);
  EXPECT_EQ(child->pid, 0);
  EXPECT_FALSE(child->pidfd.valid());
  EXPECT_EQ(ops.trace()[0], "clone3(CLONE_PIDFD|CLONE_NEWNS|CLONE_NEWPID, SIGCHLD, -1)");
}

TEST(FakeOpsTest, WaitResultsAreQueued) {
  FakeOps ops;
  ops.queue_wait(sys::WaitStatus{42, CLD_KILLED, SIGKILL});
  auto first = ops.waitpid(42, 0);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->signaled());
  EXPECT_EQ(first->status, SIGKILL);
  auto second = ops.waitpid(42, 0);
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->exited());
}

TEST(FakeOpsTest, SocketpairAndSendRecvFds) {
  FakeOps ops;
  auto pair = ops.socketpair(AF_UNIX, SOCK_SEQPACKET, 0);
  ASSERT_TRUE(pair);
  UniqueFd ns = ops.make_fd("mntns:c1");
  ASSERT_TRUE(ops.send_fds(pair->first.get(), "ns", {ns.get()}));
  EXPECT_EQ(ops.sent().at(ops.fd_name(pair->first.get())), "ns");
  ops.queue_recv("ok", 2);
  auto got = ops.recv_fds(pair->second.get(), 16, 4);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, "ok");
  EXPECT_EQ(got->fds.size(), 2u);
  EXPECT_THAT(ops.trace()[1], HasSubstr("send_fds(<sock:1.0>, \"ns\", [<mntns:c1>])"));
}

TEST(FakeOpsTest, ExecveReturnsAnErrorEvenWhenNotInjected) {
  FakeOps ops;
  Status s = ops.execve("/bin/sh", {"sh", "-c", "true"}, {"PATH=/bin"});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code(), ENOEXEC);
  EXPECT_EQ(ops.trace()[0], "execve(\"/bin/sh\", [\"sh\", \"-c\", \"true\"], [\"PATH=/bin\"])");
}

TEST(FakeOpsTest, OpenTreeNamespaceAndFsmountLabels) {
  FakeOps ops;
  UniqueFd rootfs = ops.make_fd("rootfs");
  auto ns = ops.open_tree(rootfs.get(), "", OPEN_TREE_NAMESPACE | AT_EMPTY_PATH | AT_RECURSIVE);
  ASSERT_TRUE(ns);
  EXPECT_EQ(ops.fd_name(ns->get()), "<mntns:rootfs>");
  ASSERT_TRUE(ops.setns(ns->get(), CLONE_NEWNS));
  EXPECT_EQ(ops.trace().back(), "setns(<mntns:rootfs>, CLONE_NEWNS)");
}

}  // namespace
}  // namespace grove::testing

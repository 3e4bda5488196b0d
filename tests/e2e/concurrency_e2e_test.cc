// L3: concurrent grove processes on one state root (issue #4: "a lock per container, so
// concurrent create/kill/delete on one id never corrupt or lose state"). Many `grove create` /
// `delete` run in parallel on distinct ids and on one id, and `kill` races `delete --force`.
// The test process is a child subreaper, so the inits orphaned by `grove create` are reaped
// here; every test ends with an empty state root and no container process left.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/bundle.h"
#include "tests/support/files.h"
#include "tests/support/grove_cli.h"
#include "tests/support/priv.h"

namespace grove::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using Json = nlohmann::json;

class ConcurrencyE2ePrivTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GROVE_REQUIRE_ROOT();
    GROVE_REQUIRE(missing_busybox());
    ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    auto b = BusyboxBundle::make({"sleep", "100"});
    ASSERT_TRUE(b) << b.error().message();
    bundle_.emplace(std::move(*b));
    ASSERT_TRUE(bundle_->write_config());
    cli_.emplace(GROVE_BIN);
  }

  void TearDown() override {
    if (cli_) {
      EXPECT_EQ(cli_->cleanup(), "");
    }
  }

  // Runs every argv at once (one grove process each) and returns their results in order.
  std::vector<Ran> in_parallel(const std::vector<std::vector<std::string>>& argvs) {
    std::vector<pid_t> pids;
    for (std::size_t i = 0; i < argvs.size(); ++i) {
      pids.push_back(cli_->spawn(argvs[i], "p" + std::to_string(i)));
    }
    std::vector<Ran> out;
    for (std::size_t i = 0; i < pids.size(); ++i) {
      out.push_back(cli_->finish(pids[i], "p" + std::to_string(i)));
    }
    return out;
  }

  // True once `pid` is neither running nor an unreaped zombie of ours (waits up to ~2 s).
  static bool gone(pid_t pid) {
    reap_children();
    return ::kill(pid, 0) != 0 && errno == ESRCH;
  }

  bool root_empty() const {
    std::error_code ec;
    return !std::filesystem::exists(cli_->root(), ec) || std::filesystem::is_empty(cli_->root(), ec);
  }

  std::optional<BusyboxBundle> bundle_;
  std::optional<GroveCli> cli_;
};

TEST_F(ConcurrencyE2ePrivTest, ManyIdsCreatedAndDeletedInParallel) {
  constexpr int kCount = 16;
  std::vector<std::vector<std::string>> creates, deletes;
  for (int i = 0; i < kCount; ++i) {
    std::string id = "par-" + std::to_string(i);
    creates.push_back({"create", "--bundle", bundle_->bundle(), id});
    deletes.push_back({"delete", id});  // a created container is killed by plain delete
  }
  for (const Ran& r : in_parallel(creates)) EXPECT_EQ(r.code, 0) << r.err;
  Ran l = cli_->run({"list", "--format", "json"});
  ASSERT_EQ(l.code, 0) << l.err;
  Json list = Json::parse(l.out, nullptr, false);
  ASSERT_TRUE(list.is_array()) << l.out;
  ASSERT_EQ(list.size(), static_cast<std::size_t>(kCount)) << l.out;
  std::vector<pid_t> inits;
  for (const Json& c : list) {
    EXPECT_EQ(c["status"], "created") << c.dump();
    inits.push_back(c["pid"].get<pid_t>());
    EXPECT_GT(inits.back(), 0);
  }
  for (const Ran& r : in_parallel(deletes)) EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(root_empty()) << "state left under " << cli_->root();
  for (pid_t pid : inits) EXPECT_TRUE(gone(pid)) << "init " << pid << " still there";
}

TEST_F(ConcurrencyE2ePrivTest, RacingCreatesOfOneIdLetExactlyOneWin) {
  constexpr int kRacers = 8;
  std::vector<std::vector<std::string>> creates(
      kRacers, {"create", "--bundle", bundle_->bundle(), "same"});
  int won = 0;
  for (const Ran& r : in_parallel(creates)) {
    if (r.code == 0) {
      ++won;
      continue;
    }
    EXPECT_EQ(r.code, 1);
    // runc's ErrExist text.
    EXPECT_THAT(r.err, HasSubstr("container with given ID already exists")) << r.err;
  }
  EXPECT_EQ(won, 1);
  const std::string dir = cli_->root() + "/same";
  Json record = Json::parse(read_text_file(dir + "/state.json"), nullptr, false);
  ASSERT_TRUE(record.is_object()) << "state.json is not valid JSON";
  EXPECT_EQ(record["id"], "same");
  EXPECT_EQ(record["phase"], "created");
  // Only what a created container has: no loser's temp file or half-made directory.
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"exec.fifo", "lock", "state.json"}));
  std::vector<std::string> entries;
  for (const auto& e : std::filesystem::directory_iterator(cli_->root())) {
    entries.push_back(e.path().filename());
  }
  EXPECT_EQ(entries, std::vector<std::string>{"same"});
  Json st = cli_->state("same");
  ASSERT_TRUE(st.is_object());
  EXPECT_EQ(st["status"], "created");
  pid_t init = st["pid"].get<pid_t>();
  EXPECT_EQ(cli_->run({"delete", "same"}).code, 0);
  EXPECT_TRUE(root_empty());
  EXPECT_TRUE(gone(init)) << "init " << init << " still there";
}

TEST_F(ConcurrencyE2ePrivTest, KillRacingForcedDeleteLeavesNothing) {
  for (int round = 0; round < 4; ++round) {
    std::string id = "race-" + std::to_string(round);
    Ran r = cli_->run({"run", "-d", "--bundle", bundle_->bundle(), id});
    ASSERT_EQ(r.code, 0) << r.err;
    Json st = cli_->state(id);
    ASSERT_TRUE(st.is_object());
    pid_t init = st["pid"].get<pid_t>();
    // Kills first in half the rounds, deletes first in the other half.
    std::vector<std::vector<std::string>> racers;
    for (int i = 0; i < 3; ++i) {
      std::vector<std::string> kill = {"kill", id, "KILL"};
      std::vector<std::string> del = {"delete", "--force", id};
      racers.push_back(round % 2 == 0 ? kill : del);
      racers.push_back(round % 2 == 0 ? del : kill);
    }
    std::vector<Ran> results = in_parallel(racers);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const Ran& res = results[i];
      if (racers[i][0] == "delete") {
        // runc 1.1.5: delete --force of a container that is gone succeeds.
        EXPECT_EQ(res.code, 0) << res.err;
      } else if (res.code != 0) {
        EXPECT_EQ(res.code, 1);
        // The only ways kill may lose: the init already died, or the state is gone.
        EXPECT_THAT(res.err, AnyOf(HasSubstr("container not running"), HasSubstr("does not exist")))
            << res.err;
      }
    }
    EXPECT_EQ(cli_->run({"state", id}).code, 1);
    EXPECT_TRUE(root_empty()) << "round " << round;
    EXPECT_TRUE(gone(init)) << "init " << init << " still there";
  }
}

TEST_F(ConcurrencyE2ePrivTest, ForcedDeleteDoesNotWaitForAnUnreapedExecProcess) {
  // A detached exec'd process is reparented to us (the subreaper), not to the container's init.
  // delete --force SIGKILLs it with the init; the init, pid 1 of its namespace, then stays in
  // do_exit until that zombie is reaped, which we only do once delete returns. An exiting init
  // counts as stopped, so delete must not sit out its 10 s kill timeout.
  Ran r = cli_->run({"run", "-d", "--bundle", bundle_->bundle(), "orphan"});
  ASSERT_EQ(r.code, 0) << r.err;
  Json st = cli_->state("orphan");
  ASSERT_TRUE(st.is_object());
  pid_t init = st["pid"].get<pid_t>();
  Ran e = cli_->run({"exec", "-d", "orphan", "sleep", "100"});
  ASSERT_EQ(e.code, 0) << e.err;
  auto t0 = std::chrono::steady_clock::now();
  Ran d = cli_->run({"delete", "--force", "orphan"});
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(d.code, 0) << d.err;
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_TRUE(root_empty());
  EXPECT_TRUE(gone(init)) << "init " << init << " still there";
}

// Issue #9 load: 200 containers go through create -> start -> kill -> delete in a pipeline of
// four stages, kPerStage containers per stage at once (16 grove processes in flight), so every
// verb runs concurrently with every other on one state root. After each step `list` must show
// exactly the containers that exist, each with a status its stage allows; at the end nothing is
// left (state, inits, cgroups, mounts).
TEST_F(ConcurrencyE2ePrivTest, TwoHundredContainersThroughEveryVerbConcurrently) {
  constexpr int kTotal = 200;
  constexpr int kPerStage = 4;
  constexpr int kGroups = kTotal / kPerStage;
  auto id_of = [](int g, int k) { return "load-" + std::to_string(g * kPerStage + k); };
  std::vector<pid_t> inits;
  int lists = 0;
  for (int step = 0; step < kGroups + 3; ++step) {
    // Group step creates, step-1 starts, step-2 is killed, step-3 is deleted.
    std::vector<std::vector<std::string>> argvs;
    for (int k = 0; k < kPerStage; ++k) {
      if (step < kGroups)
        argvs.push_back({"create", "--bundle", bundle_->bundle(), id_of(step, k)});
      if (step >= 1 && step - 1 < kGroups) argvs.push_back({"start", id_of(step - 1, k)});
      if (step >= 2 && step - 2 < kGroups) argvs.push_back({"kill", id_of(step - 2, k), "KILL"});
      if (step >= 3) argvs.push_back({"delete", "--force", id_of(step - 3, k)});
    }
    std::vector<Ran> results = in_parallel(argvs);
    for (std::size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i].code, 0)
          << argvs[i][0] << " " << argvs[i].back() << ": " << results[i].err;
    }
    // What must exist now, and which statuses each may show.
    std::map<std::string, std::vector<std::string>> want;
    for (int g = std::max(0, step - 2); g <= std::min(step, kGroups - 1); ++g) {
      for (int k = 0; k < kPerStage; ++k) {
        if (g == step) want[id_of(g, k)] = {"created"};
        if (g == step - 1) want[id_of(g, k)] = {"running", "stopped"};  // may exit early if killed
        if (g == step - 2) want[id_of(g, k)] = {"stopped", "running"};  // SIGKILL is async
      }
    }
    Ran l = cli_->run({"list", "--format", "json"});
    ASSERT_EQ(l.code, 0) << l.err;
    Json list = Json::parse(l.out, nullptr, false);
    if (list.is_null()) list = Json::array();  // runc prints null for no containers
    ASSERT_TRUE(list.is_array()) << "step " << step << ": " << l.out;
    ++lists;
    std::map<std::string, std::string> seen;
    for (const Json& c : list) {
      seen[c["id"].get<std::string>()] = c["status"].get<std::string>();
      if (c["status"] == "created" && c["pid"].get<pid_t>() > 0)
        inits.push_back(c["pid"].get<pid_t>());
    }
    ASSERT_EQ(seen.size(), want.size()) << "step " << step << ": " << l.out;
    for (const auto& [id, statuses] : want) {
      ASSERT_TRUE(seen.count(id)) << "step " << step << ": " << id << " lost; " << l.out;
      EXPECT_THAT(statuses, ::testing::Contains(seen[id])) << "step " << step << " " << id;
    }
  }
  EXPECT_TRUE(root_empty()) << "state left under " << cli_->root();
  for (pid_t pid : inits) EXPECT_TRUE(gone(pid)) << "init " << pid << " still there";
  EXPECT_THAT(bundle_->leftover_cgroups(), ::testing::IsEmpty());
  EXPECT_THAT(host_mounts_under(bundle_->dir()), ::testing::IsEmpty());
  RecordProperty("lists", lists);
}

}  // namespace
}  // namespace grove::testing

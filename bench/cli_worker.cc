// One batch of grove-bench cli containers run by W worker processes (cli_internal.h).
// Worker processes are forked (clone3 without flags) from the single-threaded bench and make
// themselves child subreapers, so a container init that its runtime's `create` leaves behind is
// reparented to the worker, which waits for it (that wait is the "wait" of the lifecycle).

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bench/cli_internal.h"
#include "libcontainer/base/strings.h"
#include "libcontainer/container/container.h"
#include "oci/parse.h"

extern char** environ;

namespace grove::bench {
namespace {

double now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double tv_ms(const struct timeval& tv) {
  return static_cast<double>(tv.tv_sec) * 1e3 + static_cast<double>(tv.tv_usec) / 1e3;
}

void add_rusage(const struct rusage& ru, Sample* s) {
  s->cpu_ms += tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
  s->rss_kb = std::max(s->rss_kb, static_cast<double>(ru.ru_maxrss));
}

std::string head_of(const std::string& path) {
  std::ifstream f(path);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (text.size() > 300) text.resize(300);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// Waits for `pid` (a child: the worker is a subreaper) and adds its rusage.
Status wait_child(pid_t pid, Sample* s) {
  int st = 0;
  struct rusage ru {};
  while (::wait4(pid, &st, 0, &ru) < 0) {
    if (errno != EINTR) return Error::last("wait4(" + std::to_string(pid) + ")");
  }
  add_rusage(ru, s);
  return ok();
}

// Reaps whatever else was reparented to the worker (none is expected; counted if any).
void reap_strays(Sample* s) {
  int st = 0;
  struct rusage ru {};
  while (::wait4(-1, &st, WNOHANG, &ru) > 0) add_rusage(ru, s);
}

Result<pid_t> read_pid_file(const std::string& path) {
  std::ifstream f(path);
  long long pid = 0;
  if (!(f >> pid) || pid <= 0) return Error::plain(EIO, "no pid in " + q(path));
  return static_cast<pid_t>(pid);
}

std::vector<std::string> verb(const Job& j, std::initializer_list<std::string> rest) {
  std::vector<std::string> argv = {j.contender->bin, "--root", j.root};
  argv.insert(argv.end(), rest);
  return argv;
}

Status cli_container(const Job& j, int worker, const std::string& id, Sample* s) {
  const std::string err = j.scratch + "/stderr-" + std::to_string(worker);
  const std::string& bundle = j.bundles[static_cast<std::size_t>(worker)];
  if (j.op == Op::kExec) return spawn_wait(verb(j, {"exec", j.exec_id, "/bin/true"}), err, s);
  if (j.op == Op::kRun) return spawn_wait(verb(j, {"run", "--bundle", bundle, id}), err, s);
  const std::string pid_file = j.scratch + "/pid-" + std::to_string(worker);
  GROVE_TRY(spawn_wait(verb(j, {"create", "--bundle", bundle, "--pid-file", pid_file, id}), err, s)
                .context("create"));
  GROVE_ASSIGN_OR_RETURN(pid_t pid, read_pid_file(pid_file));
  GROVE_TRY(spawn_wait(verb(j, {"start", id}), err, s).context("start"));
  GROVE_TRY(wait_child(pid, s));
  return spawn_wait(verb(j, {"delete", id}), err, s).context("delete");
}

Status floor_container(sys::Ops& ops, const Job& j, Sample* s) {
  sys::CloneArgs args;
  args.flags = j.clone_flags;
  GROVE_ASSIGN_OR_RETURN(sys::CloneResult c, ops.clone3(args).context("clone3"));
  if (c.pid == 0) {
    (void)ops.execve(j.true_path, {"true"}, {});
    ::_exit(127);
  }
  return wait_child(c.pid, s);
}

struct LibState {
  container::CreateOptions opts;
};

Status lib_container(sys::Ops& ops, LibState& st, const std::string& id, Sample* s) {
  struct rusage self0 {}, kids0 {}, self1 {}, kids1 {};
  ::getrusage(RUSAGE_SELF, &self0);
  ::getrusage(RUSAGE_CHILDREN, &kids0);
  st.opts.id = id;
  GROVE_ASSIGN_OR_RETURN(pid_t pid, container::create(ops, st.opts));
  GROVE_TRY(container::start(ops, st.opts.root, id));
  GROVE_TRY(ops.waitpid(pid, 0));
  GROVE_TRY(container::remove(ops, st.opts.root, id, false));
  ::getrusage(RUSAGE_SELF, &self1);
  ::getrusage(RUSAGE_CHILDREN, &kids1);
  s->cpu_ms = tv_ms(self1.ru_utime) + tv_ms(self1.ru_stime) - tv_ms(self0.ru_utime) -
              tv_ms(self0.ru_stime) + tv_ms(kids1.ru_utime) + tv_ms(kids1.ru_stime) -
              tv_ms(kids0.ru_utime) - tv_ms(kids0.ru_stime);
  s->rss_kb = static_cast<double>(std::max(self1.ru_maxrss, kids1.ru_maxrss));
  return ok();
}

Result<LibState> lib_state(sys::Ops& ops, const Job& j, int worker) {
  LibState st;
  const std::string& bundle = j.bundles[static_cast<std::size_t>(worker)];
  GROVE_ASSIGN_OR_RETURN(std::string text, ops.read_file_at(AT_FDCWD, bundle + "/config.json"));
  GROVE_ASSIGN_OR_RETURN(st.opts.spec, oci::parse_config(text));
  GROVE_TRY(oci::validate(st.opts.spec));
  st.opts.bundle = bundle;
  st.opts.root = j.root;
  return st;
}

// One record per container on the pipe; < PIPE_BUF, so concurrent writes do not interleave.
struct Record {
  Sample sample;
  int ok = 0;
  char error[512] = {};
};

Status worker_containers(sys::Ops& ops, const Job& j, int worker, int out_fd) {
  GROVE_TRY(ops.set_child_subreaper(true));
  std::optional<LibState> lib;
  if (j.contender->kind == Kind::kLib) {
    GROVE_ASSIGN_OR_RETURN(LibState st, lib_state(ops, j, worker));
    lib = std::move(st);
  }
  for (int i = worker; i < j.count; i += j.workers) {
    const std::string id = j.id_prefix + "-" + std::to_string(worker) + "-" + std::to_string(i);
    Record r;
    double t0 = now_ms();
    Status st = j.contender->kind == Kind::kFloor ? floor_container(ops, j, &r.sample)
                : lib                             ? lib_container(ops, *lib, id, &r.sample)
                                                  : cli_container(j, worker, id, &r.sample);
    reap_strays(&r.sample);
    r.sample.ms = now_ms() - t0;
    r.ok = st ? 1 : 0;
    if (!st) std::snprintf(r.error, sizeof r.error, "%s", st.error().message().c_str());
    if (::write(out_fd, &r, sizeof r) != static_cast<ssize_t>(sizeof r)) return Error::last("write");
    if (!st) return ok();  // the parent reports the failure
  }
  return ok();
}

}  // namespace

Status spawn_wait(const std::vector<std::string>& argv, const std::string& err_file, Sample* s) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int e = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (e != 0) return Error::from_errno(e, "posix_spawn " + q(argv[0]));
  int st = 0;
  struct rusage ru {};
  while (::wait4(pid, &st, 0, &ru) < 0) {
    if (errno != EINTR) return Error::last("wait4");
  }
  add_rusage(ru, s);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return ok();
  std::string what = WIFEXITED(st) ? "exit status " + std::to_string(WEXITSTATUS(st))
                                   : "killed by signal " + std::to_string(WTERMSIG(st));
  return Error::plain(EIO, argv[0] + " " + argv[3] + ": " + what + ": " + head_of(err_file));
}

uint64_t floor_clone_flags(Variant v) {
  uint64_t f = CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS;
  if (v != Variant::kNoNetns) f |= CLONE_NEWNET;
  if (v == Variant::kUserns) f |= CLONE_NEWUSER;
  return f;
}

Result<double> run_batch(sys::Ops& ops, const Job& job, std::vector<Sample>* out) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return Error::last("pipe2");
  UniqueFd rd(p[0]), wr(p[1]);
  std::vector<pid_t> workers;
  double t0 = now_ms();
  for (int w = 0; w < job.workers; ++w) {
    GROVE_ASSIGN_OR_RETURN(sys::CloneResult c, ops.clone3(sys::CloneArgs{}).context("worker"));
    if (c.pid == 0) {
      rd.reset();
      Status st = worker_containers(ops, job, w, wr.get());
      ::_exit(st ? 0 : 1);
    }
    workers.push_back(c.pid);
  }
  wr.reset();
  std::string first_error;
  Record r;
  for (;;) {
    ssize_t n = ::read(rd.get(), &r, sizeof r);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof r)) break;
    if (r.ok) {
      out->push_back(r.sample);
    } else if (first_error.empty()) {
      first_error = r.error;
    }
  }
  bool worker_failed = false;
  for (pid_t pid : workers) {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    worker_failed |= !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  double wall = now_ms() - t0;
  if (!first_error.empty()) return Error::plain(EIO, first_error);
  if (worker_failed) return Error::plain(EIO, "a worker process failed");
  return wall;
}

}  // namespace grove::bench

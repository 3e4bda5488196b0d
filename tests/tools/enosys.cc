// grove-enosys: runs a program with chosen system calls failing with ENOSYS, the way an older
// kernel would answer them (crun's `no_openat2` test shim, style.md §2.7 "Every fallback has a
// forced run"). The seccomp filter is inherited by everything the program starts, so a whole
// `grove run` (probe, mount engine and container) sees the syscalls as missing.
//
//   grove-enosys openat2[,open_tree,...] -- PROGRAM [ARGS...]
//
// Exit status: the program's (this process execs it); 125 on a usage or filter error.
// Test tool only: libcontainer never links it.

#include <seccomp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

constexpr int kUsage = 125;

int fail(const char* what, int err) {
  std::fprintf(stderr, "grove-enosys: %s: %s\n", what, std::strerror(err));
  return kUsage;
}

// Adds ENOSYS rules for the comma-separated names. An unknown name is an error: a typo must not
// silently test the native path.
int add_rules(scmp_filter_ctx ctx, const std::string& names) {
  std::size_t start = 0;
  while (start <= names.size()) {
    std::size_t comma = names.find(',', start);
    std::string name = names.substr(start, comma == std::string::npos ? comma : comma - start);
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) {
      std::fprintf(stderr, "grove-enosys: unknown system call \"%s\"\n", name.c_str());
      return kUsage;
    }
    if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0); rc < 0) {
      return fail("seccomp_rule_add", -rc);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::strcmp(argv[2], "--") != 0) {
    std::fprintf(stderr, "usage: grove-enosys SYSCALL[,SYSCALL...] -- PROGRAM [ARGS...]\n");
    return kUsage;
  }
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return fail("seccomp_init", ENOMEM);
  // Root may load a filter without no_new_privs; keeping it off leaves setuid semantics of the
  // programs under test unchanged. Unprivileged callers need it.
  if (::geteuid() == 0) (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (int rc = add_rules(ctx, argv[1]); rc != 0) return rc;
  if (int rc = seccomp_load(ctx); rc < 0) return fail("seccomp_load", -rc);
  seccomp_release(ctx);
  ::execv(argv[3], argv + 3);
  return fail(argv[3], errno);
}

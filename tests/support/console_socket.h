#pragma once
// The test side of a --console-socket (what containerd's shim and conmon run) and a pty reader,
// shared by the console and exec e2e tests.

#include <optional>
#include <string>
#include <vector>

#include "libcontainer/base/unique_fd.h"

namespace grove::testing {

// What the console-socket server received: the payload and the fd.
struct Received {
  std::string payload;
  std::vector<UniqueFd> fds;
};

// A unix stream socket listening at `path` (the --console-socket); empty on failure.
UniqueFd listen_at(const std::string& path);

// Accepts one connection (up to 30 s, containerd's wait) and receives one message with its
// SCM_RIGHTS fds; "<more data>" is appended to the payload if the sender did not close after it.
std::optional<Received> accept_console(int listener);

// Everything readable from a pty master until every peer is closed (EIO) or `until` appears,
// waiting at most ~20 s.
std::string read_pty(int master, const std::string& until = "");

// A pty pair sized `rows` x `cols`, both ends close-on-exec, for a test to hand grove as the
// caller's terminal (RunOptions::terminal_fd = peer). Both empty when openpty(3) fails.
struct TestPty {
  UniqueFd master;
  UniqueFd peer;
};
TestPty open_test_pty(unsigned short rows, unsigned short cols);

}  // namespace grove::testing

// runtime_failures_test.cc: a system call that fails where a program cannot go on (G1: a runtime
// failure prints `PROG: op: reason` and exits 1), one row per call the programs depend on.
//
// None of these fails for a real reason on a healthy machine (an eventfd, SO_REUSEADDR,
// getsockname, the loop's first epoll_ctl or epoll_wait, waitpid on one's own child), so each is
// made to fail with strace's fault injection. Each row checks the whole promise: the exit status
// 1, the message naming the call and the reason, and for a server that it never said it was
// listening when it could not serve.
// Must not: sleep to synchronise; every wait has a deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/subprocess.h"
#include "harness/support/traced_program.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

struct RuntimeFailure {
  const char* name;     // The test's name: what fails.
  const char* program;  // Run as `PROGRAM ARGS...` under strace.
  std::vector<std::string> args;
  const char* inject;    // strace's -e inject=...; the call is traced alone.
  const char* message;   // The stderr line: `PROGRAM: MESSAGE`.
  bool listens = false;  // The failure comes after the G2 line (a failing loop, not a start).
};

std::ostream& operator<<(std::ostream& out, const RuntimeFailure& failure) {
  return out << failure.name;
}

const std::vector<std::string> kServerArgs = {"0", "--bind", "127.0.0.1"};

class G1RuntimeFailure : public ::testing::TestWithParam<RuntimeFailure> {};

INSTANTIATE_TEST_SUITE_P(
    Calls, G1RuntimeFailure,
    ::testing::Values(
        // The signal bridge's second eventfd (its stop fd): the first is closed again.
        RuntimeFailure{"StopEventfd", "tcp_echo_epoll", kServerArgs, "eventfd2:error=EMFILE:when=2",
                       "eventfd: Too many open files"},
        RuntimeFailure{"ReuseAddress", "tcp_echo_epoll", kServerArgs,
                       "setsockopt:error=ENOMEM:when=1",
                       "setsockopt SO_REUSEADDR: Cannot allocate memory"},
        RuntimeFailure{"BoundAddress", "udp_chat_server", kServerArgs,
                       "getsockname:error=ENOBUFS:when=1",
                       "getsockname: No buffer space available"},
        // The loop's first epoll_ctl watches the signal bridge's wake fd.
        RuntimeFailure{"WatchSignals", "tcp_echo_epoll", kServerArgs,
                       "epoll_ctl:error=ENOMEM:when=1", "epoll_ctl: Cannot allocate memory"},
        RuntimeFailure{"IterativeWait", "tcp_echo_iterative", kServerArgs,
                       "epoll_wait:error=ENOMEM:when=1", "epoll_wait: Cannot allocate memory",
                       /*listens=*/true},
        RuntimeFailure{"EpollServerWait", "tcp_echo_epoll", kServerArgs,
                       "epoll_wait:error=ENOMEM:when=1", "epoll_wait: Cannot allocate memory",
                       /*listens=*/true},
        RuntimeFailure{"ChatServerWait", "udp_chat_server", kServerArgs,
                       "epoll_wait:error=ENOMEM:when=1", "epoll_wait: Cannot allocate memory",
                       /*listens=*/true},
        RuntimeFailure{"ForkDemoWait",
                       "fork_demo",
                       {},
                       "wait4:error=ECHILD:when=1",
                       "waitpid: No child processes"},
        // S2's two sigactions: ignoring SIGINT, and putting the old action back at the end.
        RuntimeFailure{"IgnoreSigint",
                       "sig_ignore",
                       {"--interval-ms", "1"},
                       "rt_sigaction:error=EINVAL:when=1",
                       "sigaction SIGINT: Invalid argument"},
        RuntimeFailure{"RestoreSigint",
                       "sig_ignore",
                       {"--interval-ms", "1"},
                       "rt_sigaction:error=EINVAL:when=2",
                       "sigaction SIGINT: Invalid argument"}),
    [](const ::testing::TestParamInfo<RuntimeFailure>& row) { return row.param.name; });

TEST_P(G1RuntimeFailure, TheProgramSaysWhichCallFailedAndExitsOne) {
  // Claim: the program exits 1 with `PROG: op: reason` on stderr, and a server whose start
  // failed never printed `listening on`.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  const RuntimeFailure& failure = GetParam();
  const std::string call =
      std::string(failure.inject).substr(0, std::string(failure.inject).find(':'));
  TracedProgram traced =
      StartTraced({"-e", "trace=" + call, "-e", std::string("inject=") + failure.inject},
                  failure.program, failure.args);
  const std::string out = traced.tracer.ReadStdoutToEof(Deadline::In(seconds(10)));
  std::optional<core::WaitStatus> status = traced.tracer.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value()) << "still running after its " << call << " failed";
  EXPECT_TRUE(status->ExitedWith(1)) << core::DescribeWaitStatus(*status);
  const std::string errors = traced.tracer.stderr_text();
  EXPECT_NE(errors.find(std::string(failure.program) + ": " + failure.message), std::string::npos)
      << errors;
  EXPECT_EQ(out.find("listening on") != std::string::npos, failure.listens) << out;
}

}  // namespace
}  // namespace netref::testing

// wait_status_kernel_test.cc: S3's decoder checked against the kernel with real children.
//
// For every exit code 0..255, every fatal signal, a core dump and the stop signals, a child is
// forked and made to end that way; its raw status is then decoded by core::DecodeWaitStatus and
// compared with the <sys/wait.h> macros on the same raw value AND with what the kernel reports
// through waitid's siginfo (CLD_EXITED / CLD_KILLED / CLD_DUMPED / CLD_STOPPED / CLD_CONTINUED),
// a second channel independent of the status encoding. The gtest process is single-threaded, so
// fork is safe; a child only calls async-signal-safe functions before it ends.
// Must not: leave a child unreaped (every test reaps or kills what it forked).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/child_wait.h"
#include "harness/support/deadline.h"
#include "reference/core/wait_status.h"

namespace netref::testing {
namespace {

// Forks a child that runs `end` (which must not return). Aborts the test on fork failure.
template <typename End>
pid_t ForkChild(End end) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    end();
    ::_exit(127);  // Not reached when `end` ends the process as intended.
  }
  EXPECT_GT(pid, 0) << "fork: " << errno;
  return pid;
}

// Child side: make `signal` fatal with its default action and send it to ourselves. No core
// file: RLIMIT_CORE 0 and not dumpable (core_pattern here writes `core` into the cwd).
[[noreturn]] void DieBy(int signal, bool allow_core) {
  if (!allow_core) {
    rlimit none{0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  }
  ::signal(signal, SIG_DFL);
  sigset_t all;
  sigfillset(&all);
  ::sigprocmask(SIG_UNBLOCK, &all, nullptr);
  ::raise(signal);
  ::_exit(126);  // Only if the signal did not kill us.
}

// Peeks at the child's end through waitid (WNOWAIT: still reapable), then reaps it with waitpid
// and returns the raw status. Bounded: a child that does not change state within 10 s (times
// NETREF_TIME_SCALE) fails the test and is killed and reaped, rather than hanging it.
struct Observed {
  siginfo_t info{};
  int raw = 0;
};
Observed WaitBoth(pid_t pid, int waitid_flags, int waitpid_flags) {
  const Deadline deadline = Deadline::In(std::chrono::seconds(10));
  Observed seen;
  const std::optional<siginfo_t> info = PeekChild(pid, waitid_flags, deadline);
  const std::optional<int> raw = info ? WaitChild(pid, waitpid_flags, deadline) : std::nullopt;
  if (!info || !raw) {
    ADD_FAILURE() << "child " << pid << " did not change state in time (errno " << errno << ")";
    KillAndReap(pid);
    return seen;
  }
  seen.info = *info;
  seen.raw = *raw;
  return seen;
}

TEST(S3WaitStatus, EveryExitCodeMatchesTheKernel) {
  // Claim: for each code 0..255, a child's _exit(code) decodes as exited with that code, as the
  // W* macros and waitid's CLD_EXITED say.
  for (int code = 0; code <= 255; ++code) {
    const pid_t pid = ForkChild([code] { ::_exit(code); });
    ASSERT_GT(pid, 0);
    const Observed seen = WaitBoth(pid, WEXITED, 0);
    ASSERT_EQ(seen.info.si_code, CLD_EXITED) << code;
    ASSERT_EQ(seen.info.si_status, code);
    ASSERT_TRUE(WIFEXITED(seen.raw));
    ASSERT_EQ(WEXITSTATUS(seen.raw), code);
    const core::WaitStatus decoded = core::DecodeWaitStatus(seen.raw);
    EXPECT_TRUE(decoded.ExitedWith(code)) << code << ": " << core::DescribeWaitStatus(decoded);
    EXPECT_FALSE(decoded.signaled());
    EXPECT_EQ(core::DescribeWaitStatus(decoded), "exited with status " + std::to_string(code));
  }
}

TEST(S3WaitStatus, EveryFatalSignalMatchesTheKernel) {
  // Claim: a child killed by any signal whose default action ends the process (the catchable
  // ones, SIGKILL, and every real-time signal) decodes as killed by that signal, without a core
  // when none was dumped, as WIFSIGNALED/WTERMSIG/WCOREDUMP and waitid's CLD_KILLED say.
  std::vector<int> fatal = {SIGHUP,  SIGINT,  SIGQUIT, SIGILL,    SIGTRAP, SIGABRT, SIGBUS,
                            SIGFPE,  SIGKILL, SIGUSR1, SIGSEGV,   SIGUSR2, SIGPIPE, SIGALRM,
                            SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,
                            SIGPWR,  SIGSYS};
  for (int rt = SIGRTMIN; rt <= SIGRTMAX; ++rt) fatal.push_back(rt);
  for (int signal : fatal) {
    const pid_t pid = ForkChild([signal] { DieBy(signal, /*allow_core=*/false); });
    ASSERT_GT(pid, 0);
    const Observed seen = WaitBoth(pid, WEXITED, 0);
    ASSERT_EQ(seen.info.si_code, CLD_KILLED) << core::SignalName(signal);
    ASSERT_EQ(seen.info.si_status, signal);
    ASSERT_TRUE(WIFSIGNALED(seen.raw)) << core::SignalName(signal);
    ASSERT_EQ(WTERMSIG(seen.raw), signal);
    ASSERT_FALSE(WCOREDUMP(seen.raw));
    const core::WaitStatus decoded = core::DecodeWaitStatus(seen.raw);
    EXPECT_TRUE(decoded.KilledBy(signal)) << signal << ": " << core::DescribeWaitStatus(decoded);
    EXPECT_FALSE(decoded.core_dumped) << core::SignalName(signal);
    EXPECT_FALSE(decoded.exited());
    EXPECT_EQ(core::DescribeWaitStatus(decoded), "killed by " + core::SignalName(signal));
  }
}

TEST(S3WaitStatus, CoreDumpIsDecodedAsTheKernelReportsIt) {
  // Claim: a child that dumps core on SIGABRT decodes as killed by SIGABRT with core_dumped, as
  // WCOREDUMP and waitid's CLD_DUMPED say. The core file lands in a private temp dir, removed.
  char dir[] = "/tmp/netref-core-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const pid_t pid = ForkChild([&dir] {
    rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    ::setrlimit(RLIMIT_CORE, &unlimited);
    if (::chdir(dir) != 0) ::_exit(125);
    DieBy(SIGABRT, /*allow_core=*/true);
  });
  ASSERT_GT(pid, 0);
  const Observed seen = WaitBoth(pid, WEXITED, 0);
  (void)std::system((std::string("rm -rf ") + dir).c_str());
  ASSERT_TRUE(WIFSIGNALED(seen.raw));
  ASSERT_EQ(WTERMSIG(seen.raw), SIGABRT);
  const core::WaitStatus decoded = core::DecodeWaitStatus(seen.raw);
  EXPECT_TRUE(decoded.KilledBy(SIGABRT)) << core::DescribeWaitStatus(decoded);
  // Whether the kernel managed to dump is its business (a read-only /tmp would stop it); the
  // decoder must agree with both of the kernel's channels either way.
  EXPECT_EQ(decoded.core_dumped, WCOREDUMP(seen.raw) != 0);
  EXPECT_EQ(decoded.core_dumped, seen.info.si_code == CLD_DUMPED);
  if (decoded.core_dumped) {
    EXPECT_EQ(core::DescribeWaitStatus(decoded), "killed by SIGABRT (core dumped)");
  }
}

TEST(S3WaitStatus, StoppedAndContinuedMatchTheKernel) {
  // Claim: a child stopped by SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU decodes (via WUNTRACED) as
  // stopped by that signal, and after SIGCONT (via WCONTINUED) as continued, as WIFSTOPPED/
  // WSTOPSIG/WIFCONTINUED and waitid's CLD_STOPPED/CLD_CONTINUED say.
  for (int signal : {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU}) {
    const pid_t pid = ForkChild([signal] {
      // A group of its own whose parent (this test) is in another group of the same session:
      // not orphaned, so the kernel does not discard SIGTSTP/SIGTTIN/SIGTTOU.
      ::setpgid(0, 0);
      ::alarm(20);  // Bounded: if the stop never comes, SIGALRM ends the child.
      ::signal(signal, SIG_DFL);
      ::raise(signal);
      ::pause();  // Continued: wait here to be killed.
      ::_exit(0);
    });
    ASSERT_GT(pid, 0);
    const Observed stopped = WaitBoth(pid, WSTOPPED | WEXITED, WUNTRACED);
    EXPECT_EQ(stopped.info.si_code, CLD_STOPPED) << core::SignalName(signal);
    EXPECT_EQ(stopped.info.si_status, signal);
    EXPECT_TRUE(WIFSTOPPED(stopped.raw)) << core::SignalName(signal);
    EXPECT_EQ(WSTOPSIG(stopped.raw), signal);
    const core::WaitStatus decoded = core::DecodeWaitStatus(stopped.raw);
    EXPECT_EQ(decoded.kind, core::WaitStatus::Kind::kStopped) << core::SignalName(signal);
    EXPECT_EQ(decoded.signal, signal);
    EXPECT_EQ(core::DescribeWaitStatus(decoded), "stopped by " + core::SignalName(signal));

    ASSERT_EQ(::kill(pid, SIGCONT), 0);
    const Observed continued = WaitBoth(pid, WCONTINUED | WEXITED, WCONTINUED);
    EXPECT_EQ(continued.info.si_code, CLD_CONTINUED);
    EXPECT_TRUE(WIFCONTINUED(continued.raw));
    const core::WaitStatus resumed = core::DecodeWaitStatus(continued.raw);
    EXPECT_EQ(resumed.kind, core::WaitStatus::Kind::kContinued);
    EXPECT_EQ(core::DescribeWaitStatus(resumed), "continued");

    ASSERT_EQ(::kill(pid, SIGKILL), 0);  // Must reap: the child would otherwise outlive the test.
    const Observed killed = WaitBoth(pid, WEXITED, 0);
    EXPECT_TRUE(core::DecodeWaitStatus(killed.raw).KilledBy(SIGKILL));
  }
}

}  // namespace
}  // namespace netref::testing

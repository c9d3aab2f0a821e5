// wait_status_property_test.cc: S3's law against the real kernel: core::DecodeWaitStatus reads
// what waitpid stored as it happened, for random exit codes, fatal signals, stops and continues.
//
// Each case forks one real child. Forking is safe here because a gtest test process is
// single-threaded; the child only calls async-signal-safe functions (signal, sigprocmask, prctl,
// raise, _exit). Must not: leave a child unreaped, or let a child dump core into the build tree.
#include <dirent.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "harness/property/required_cases.h"
#include "harness/support/child_wait.h"
#include "harness/support/deadline.h"
#include "reference/core/wait_status.h"

namespace netref::core {
namespace {

// Signals whose default action ends the process (Linux numbering), the real-time ones included.
// Left out: those whose default is to ignore (SIGCHLD, SIGURG, SIGWINCH), to stop, or continue.
const std::vector<int>& FatalSignals() {
  static const std::vector<int> signals = [] {
    std::vector<int> s = {SIGHUP,  SIGINT,  SIGQUIT, SIGILL,  SIGTRAP,   SIGABRT, SIGBUS,
                          SIGFPE,  SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2,   SIGPIPE, SIGALRM,
                          SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,
                          SIGPWR,  SIGSYS};
    for (int rt = SIGRTMIN; rt <= SIGRTMAX; ++rt) s.push_back(rt);
    return s;
  }();
  return signals;
}

// Signals whose default action would dump core (RLIMIT_CORE and dumpability permitting).
bool DumpsCoreByDefault(int sig) {
  switch (sig) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
    case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
      return true;
    default:
      return false;
  }
}

// A directory for the cores that the core-dump cases let a child write (core_pattern "core" is
// relative to the child's working directory); emptied after each such case.
std::string core_directory;  // Empty until first used.
const std::string& CoreDirectory() {
  if (core_directory.empty()) {
    char name[] = "/tmp/netref-s3-cores.XXXXXX";
    core_directory = ::mkdtemp(name) != nullptr ? name : "/tmp";
  }
  return core_directory;
}

// Removes the (emptied) core directory when the test binary ends.
class CoreDirectoryCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!core_directory.empty() && core_directory != "/tmp") ::rmdir(core_directory.c_str());
  }
};
[[maybe_unused]] ::testing::Environment* const kCleanup =
    ::testing::AddGlobalTestEnvironment(new CoreDirectoryCleanup);

void EmptyCoreDirectory() {
  DIR* dir = ::opendir(CoreDirectory().c_str());
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") ::unlink((CoreDirectory() + "/" + name).c_str());
  }
  ::closedir(dir);
}

// In the child: `sig` to its default action and unblocked (the test may have inherited an
// ignored SIGINT from a non-interactive shell), then raise it. With `allow_core`, a core-action
// signal may dump core into CoreDirectory(); otherwise the child is made non-dumpable, so it
// still reports its signal but never writes a core into the build tree.
[[noreturn]] void ChildRaise(int sig, bool allow_core) {
  if (allow_core) {
    const rlimit limit{64u << 20, 64u << 20};
    ::setrlimit(RLIMIT_CORE, &limit);
    if (::chdir(CoreDirectory().c_str()) != 0) ::_exit(126);
  } else {
    ::prctl(PR_SET_DUMPABLE, 0);
  }
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
  ::_exit(127);  // Only if the signal did not end the process.
}

// waitpid with `flags`, bounded (10 s, times NETREF_TIME_SCALE); the raw status. A child that
// does not change state in time is killed and reaped, and the property fails.
int WaitRaw(pid_t pid, int flags) {
  const std::optional<int> raw = netref::testing::WaitChild(
      pid, flags, netref::testing::Deadline::In(std::chrono::seconds(10)));
  if (!raw) {
    netref::testing::KillAndReap(pid);
    RC_FAIL("child " + std::to_string(pid) + " did not change state within the deadline");
  }
  return *raw;
}

// The decoder agrees with the libc macros on a raw status.
void AssertAgreesWithMacros(int raw) {
  const WaitStatus status = DecodeWaitStatus(raw);
  RC_ASSERT(status.exited() == WIFEXITED(raw));
  RC_ASSERT(status.signaled() == WIFSIGNALED(raw));
  RC_ASSERT((status.kind == WaitStatus::Kind::kStopped) == WIFSTOPPED(raw));
  RC_ASSERT((status.kind == WaitStatus::Kind::kContinued) == WIFCONTINUED(raw));
  if (WIFEXITED(raw)) RC_ASSERT(status.exit_code == WEXITSTATUS(raw));
  if (WIFSIGNALED(raw)) {
    RC_ASSERT(status.signal == WTERMSIG(raw));
    RC_ASSERT(status.core_dumped == static_cast<bool>(WCOREDUMP(raw)));
  }
  if (WIFSTOPPED(raw)) RC_ASSERT(status.signal == WSTOPSIG(raw));
}

// Required cases (see required_cases.h): codes over 127 (WEXITSTATUS is 8 bits, not 7), real-time
// signals (numbered past the named ones) and a continue. Every code, every fatal signal and a
// core dump are also checked one by one in harness/unit/wait_status_kernel_test.cc.
const std::vector<property::RequiredCase> kExitCases = {{"over 127", 0.03}};
const std::vector<property::RequiredCase> kSignalCases = {{"real-time signal", 0.10}};
const std::vector<property::RequiredCase> kStopCases = {{"continued", 0.10}};

// S3: a child that exits with code c is decoded as exited with c, as the W* macros say.
NETREF_PROP_REQUIRING(S3WaitStatus, RealChildExitIsDecodedAsItHappened, kExitCases, ()) {
  const int code = *rc::gen::weightedOneOf<int>(
      {{3, rc::gen::inRange(0, 256)}, {1, rc::gen::element(0, 1, 2, 127, 128, 255)}});
  const pid_t pid = ::fork();
  RC_ASSERT(pid >= 0);
  if (pid == 0) ::_exit(code);
  const int raw = WaitRaw(pid, 0);
  AssertAgreesWithMacros(raw);
  const WaitStatus status = DecodeWaitStatus(raw);
  RC_ASSERT(status.ExitedWith(code));
  RC_ASSERT(!status.signaled());
  RC_ASSERT(DescribeWaitStatus(status) == "exited with status " + std::to_string(code));
  RC_CLASSIFY(code == 0, "0");
  RC_CLASSIFY(code > 127, "over 127");
}

// S3: a child killed by a fatal signal is decoded as killed by that signal, never as exited.
NETREF_PROP_REQUIRING(S3WaitStatus, RealChildKilledBySignalIsDecodedAsItHappened, kSignalCases,
                      ()) {
  const int sig = *rc::gen::elementOf(FatalSignals());
  const bool allow_core = DumpsCoreByDefault(sig) && *rc::gen::arbitrary<bool>();
  (void)CoreDirectory();  // Made before the fork: the child only chdirs into it.
  const pid_t pid = ::fork();
  RC_ASSERT(pid >= 0);
  if (pid == 0) ChildRaise(sig, allow_core);
  const int raw = WaitRaw(pid, 0);
  if (allow_core) EmptyCoreDirectory();
  AssertAgreesWithMacros(raw);
  const WaitStatus status = DecodeWaitStatus(raw);
  RC_ASSERT(status.KilledBy(sig));
  RC_ASSERT(!status.exited());
  if (!allow_core) RC_ASSERT(!status.core_dumped);  // The child made itself non-dumpable.
  RC_ASSERT(DescribeWaitStatus(status) ==
            "killed by " + SignalName(sig) + (status.core_dumped ? " (core dumped)" : ""));
  RC_CLASSIFY(status.core_dumped, "core dumped");
  RC_CLASSIFY(sig >= SIGRTMIN, "real-time signal");
  RC_CLASSIFY(DumpsCoreByDefault(sig), "core action");
}

// S3: a child stopped, continued, then killed is decoded as stopped, continued, killed in turn.
NETREF_PROP_REQUIRING(S3WaitStatus, RealChildStopContinueKillIsDecodedAsItHappened, kStopCases,
                      ()) {
  const bool resume = *rc::gen::arbitrary<bool>();
  const pid_t pid = ::fork();
  RC_ASSERT(pid >= 0);
  if (pid == 0) {
    ::raise(SIGSTOP);  // SIGSTOP cannot be caught, blocked or ignored: no set-up needed.
    while (true) ::pause();  // Once continued, waits for the parent's SIGKILL.
  }
  // Every status is collected and the child reaped before any assertion, so that a failing
  // case never leaves a stopped child behind.
  const int stopped = WaitRaw(pid, WUNTRACED);
  int continued = -1;
  if (resume) {
    ::kill(pid, SIGCONT);
    continued = WaitRaw(pid, WCONTINUED);
  }
  ::kill(pid, SIGKILL);
  const int ended = WaitRaw(pid, 0);

  AssertAgreesWithMacros(stopped);
  const WaitStatus stop = DecodeWaitStatus(stopped);
  RC_ASSERT(stop.kind == WaitStatus::Kind::kStopped);
  RC_ASSERT(stop.signal == SIGSTOP);
  RC_ASSERT(DescribeWaitStatus(stop) == "stopped by SIGSTOP");
  if (resume) {
    AssertAgreesWithMacros(continued);
    RC_ASSERT(DecodeWaitStatus(continued).kind == WaitStatus::Kind::kContinued);
    RC_ASSERT(DescribeWaitStatus(DecodeWaitStatus(continued)) == "continued");
  }
  AssertAgreesWithMacros(ended);
  RC_ASSERT(DecodeWaitStatus(ended).KilledBy(SIGKILL));
  RC_CLASSIFY(resume, "continued");
}

}  // namespace
}  // namespace netref::core

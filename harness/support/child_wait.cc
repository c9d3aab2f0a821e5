// child_wait.cc
#include "harness/support/child_wait.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace netref::testing {
namespace {

// Between two WNOHANG looks. A stop or a continue has no fd to poll (a pidfd reports only the
// end), so the wait polls; 1 ms keeps it prompt without spinning.
void Pause() { ::usleep(1000); }

}  // namespace

std::optional<int> WaitChild(pid_t pid, int flags, const Deadline& deadline) {
  while (true) {
    int raw = 0;
    const pid_t got = ::waitpid(pid, &raw, flags | WNOHANG);
    if (got == pid) return raw;
    if (got < 0 && errno != EINTR) return std::nullopt;  // ECHILD: not (or no longer) ours.
    if (deadline.expired()) return std::nullopt;
    Pause();
  }
}

std::optional<siginfo_t> PeekChild(pid_t pid, int flags, const Deadline& deadline) {
  while (true) {
    siginfo_t info{};
    // With WNOHANG, "nothing yet" is a success with si_pid 0.
    const int got = ::waitid(P_PID, static_cast<id_t>(pid), &info, flags | WNOWAIT | WNOHANG);
    if (got == 0 && info.si_pid == pid) return info;
    if (got != 0 && errno != EINTR) return std::nullopt;
    if (deadline.expired()) return std::nullopt;
    Pause();
  }
}

void KillAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);  // A child of this test, by pid.
  WaitChild(pid, 0, Deadline::In(std::chrono::seconds(10)));
}

}  // namespace netref::testing

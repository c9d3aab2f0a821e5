// tcp_echo_prefork: a pre-forked pool of echo workers, the reference design the lecture points
// at ("usually one forks per unit of work, not per client"). Clauses: G1-G5, T2, B1.
//
// The parent listens, forks --workers N workers (default 4) and then only supervises: it reaps a
// worker that dies and forks a replacement, and on SIGTERM/SIGINT ends and reaps them all (G5).
// Each worker accepts on the shared listening socket and serves one client at a time (T2), so N
// clients are served at once and later ones wait in the backlog. Must not: accept in the parent.
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "reference/core/console_lines.h"
#include "reference/posix/child_reaper.h"
#include "reference/posix/echo_loop.h"
#include "reference/posix/io.h"
#include "reference/posix/signal_events.h"
#include "reference/posix/unique_fd.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

// The pool accepts as fast as its workers free up; a deep backlog holds the clients that wait.
constexpr int kBacklog = 128;
constexpr std::chrono::milliseconds kShutdownGrace{2000};

// A worker's life: accept, serve to the end, accept again. Never returns. Its SIGTERM keeps the
// default action (SignalEvents::Fork), so the parent ends it with a signal at any point.
[[noreturn]] void RunWorker(posix::Acceptor& acceptor, const posix::Console& console,
                            pid_t parent) {
  // An orphaned worker would hold the port forever: die with the parent, even a SIGKILLed one.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(0);  // The parent died before prctl took effect.
  // The listener is non-blocking and shared. Each worker waits on it through its own epoll set
  // with EPOLLEXCLUSIVE, so a new connection wakes one idle worker (or a few), not all of them
  // (poll would wake the whole pool: the thundering herd). A worker that loses the race anyway
  // gets EAGAIN (kNothing) and waits again.
  const posix::UniqueFd waiter(::epoll_create1(EPOLL_CLOEXEC));
  epoll_event interest{};
  interest.events = EPOLLIN | EPOLLEXCLUSIVE;
  if (!waiter.valid() || ::epoll_ctl(waiter.get(), EPOLL_CTL_ADD, acceptor.fd(), &interest) != 0) {
    posix::Console::Error(posix::MessageOf(posix::ErrnoError(errno, "epoll")));
    ::_exit(1);
  }
  bool back_off = false;
  while (true) {
    epoll_event ready{};
    if (back_off) {
      // Wait without the listener (acceptor.h: it stays readable and would spin).
      posix::RetryOnEintr([&] { return ::poll(nullptr, 0, posix::kBackOffMs); });
    } else {
      posix::RetryOnEintr([&] { return ::epoll_wait(waiter.get(), &ready, 1, -1); });
    }
    absl::StatusOr<posix::AcceptOutcome> accepted = acceptor.Accept();
    if (!accepted.ok()) {
      posix::Console::Error(posix::MessageOf(accepted.status()));
      ::_exit(1);  // A fatal accept error is a bug; the parent logs the exit and replaces us.
    }
    back_off = accepted->kind == posix::AcceptOutcome::Kind::kBackOff;
    if (accepted->kind != posix::AcceptOutcome::Kind::kAccepted) continue;  // T3: logged, go on.
    console.Line(core::ConnectedLine(accepted->peer));
    posix::ServeEchoSession(accepted->client.get(), accepted->peer, console, /*cancel_fd=*/-1);
  }
}

// Forks one worker; the parent records it. A fork failure is logged; the supervisor retries
// on its next wake-up (the pool runs short meanwhile, it does not stop).
void StartWorker(posix::Acceptor& acceptor, posix::SignalEvents& events,
                 posix::ChildReaper& workers, const posix::Console& console) {
  const pid_t parent = ::getpid();
  const pid_t pid = events.Fork();
  if (pid == 0) RunWorker(acceptor, console, parent);
  if (pid < 0) {
    posix::Console::Error(posix::MessageOf(posix::ErrnoError(errno, "fork")));
    return;
  }
  workers.Add(pid);
}

absl::Status Supervise(const core::ProgramConfig& config, posix::Acceptor& acceptor,
                       posix::SignalEvents& events, const posix::Console& console) {
  posix::ChildReaper workers;
  const auto wanted = static_cast<std::size_t>(config.workers);
  while (true) {
    while (workers.live() < wanted) {
      const std::size_t before = workers.live();
      StartWorker(acceptor, events, workers, console);
      if (workers.live() == before) break;  // fork failed: try again after a pause.
    }
    const bool short_handed = workers.live() < wanted;
    pollfd fd = {events.wake_fd(), POLLIN, 0};
    if (posix::RetryOnEintr([&] { return ::poll(&fd, 1, short_handed ? 100 : -1); }) < 0) {
      return posix::ErrnoError(errno, "poll");
    }
    const posix::SignalEvents::Set signals = events.Take();
    if (signals.test(SIGTERM) || signals.test(SIGINT)) break;
    if (signals.test(SIGCHLD)) {
      // Signals coalesce: ReapExited reaps every dead worker; the loop above replaces them.
      for (const posix::ReapedChild& worker : workers.ReapExited()) {
        posix::Console::Error(absl::StrCat("worker ", worker.pid, " ",
                                           core::DescribeWaitStatus(worker.status),
                                           "; starting another"));
      }
    }
  }
  // G5: end the workers (a worker mid-session is cut off, as the fork server's children are)
  // and reap them all before exiting.
  workers.TerminateAll(SIGTERM, kShutdownGrace);
  return absl::OkStatus();
}

}  // namespace
}  // namespace netref::programs

int main(int argc, char** argv) {
  using namespace netref;
  const core::ProgramConfig config =
      programs::ParseArgsOrExit(core::Program::kPreforkEchoServer, argc, argv);
  posix::IgnoreSigpipe();
  const posix::Console console(config.quiet);
  console.Line(core::ServerStartLine());
  absl::StatusOr<posix::SignalEvents*> events =
      posix::SignalEvents::Install({SIGTERM, SIGINT, SIGCHLD});
  if (!events.ok()) return programs::Fail(events.status());
  absl::StatusOr<posix::Acceptor> acceptor =
      programs::ListenAndAnnounce(config, programs::kBacklog, console);
  if (!acceptor.ok()) return programs::Fail(acceptor.status());
  if (absl::Status served = programs::Supervise(config, *acceptor, **events, console);
      !served.ok()) {
    return programs::Fail(served);
  }
  return 0;  // G5: stopped by SIGTERM or SIGINT, every worker reaped.
}

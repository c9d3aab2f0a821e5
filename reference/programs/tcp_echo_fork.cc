// tcp_echo_fork: the lecture's fork-per-client TCP echo server (multiProcessTcpServer.c).
// Clauses: G1-G5, T2, T3, T4, B2.
//
// The parent accepts and forks; each child serves one client (T2) and exits 0. The parent reaps
// every child (T4): SIGCHLD wakes the main loop through the self-pipe and ChildReaper reaps with
// waitpid(-1, WNOHANG) until none is left, because signals coalesce.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "reference/core/console_lines.h"
#include "reference/posix/child_reaper.h"
#include "reference/posix/echo_loop.h"
#include "reference/posix/io.h"
#include "reference/posix/signal_events.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

constexpr int kBacklog = 5;  // T3: listen(srvSd, 5).
// B2: with --max-children the backlog is where clients wait for a free child, so it must hold
// more than the lecture's 5; past it the kernel drops SYNs and clients stall for a second or more.
constexpr int kCappedBacklog = 128;
constexpr std::chrono::milliseconds kShutdownGrace{2000};

// Logs how a child ended when it is worth a line: a clean exit 0 is the normal case.
void LogUnusualExits(const std::vector<posix::ReapedChild>& reaped) {
  for (const posix::ReapedChild& child : reaped) {
    if (!child.status.ExitedWith(0)) {
      posix::Console::Error(absl::StrCat("child ", child.pid, " ",
                                         core::DescribeWaitStatus(child.status)));
    }
  }
}

// The fork for one accepted client. Returns once the parent's part is done.
void ForkForClient(posix::AcceptOutcome& accepted, posix::Acceptor& acceptor,
                   posix::SignalEvents& events, posix::ChildReaper& children,
                   const posix::Console& console) {
  const pid_t pid = events.Fork();
  if (pid == 0) {
    acceptor.CloseInChild();  // The child closes the listener: only the parent accepts.
    posix::ServeEchoSession(accepted.client.get(), accepted.peer, console, /*cancel_fd=*/-1);
    ::_exit(0);  // T3: the child exits 0 (no stdio buffers to flush: Console writes directly).
  }
  if (pid < 0) {
    // Deviation: the lecture exits on a fork failure. netref closes this one client (its
    // UniqueFd, below) and goes on accepting.
    posix::Console::Error(absl::StrCat(posix::MessageOf(posix::ErrnoError(errno, "fork")),
                                       ": closing client ", core::FormatEndpoint(accepted.peer)));
  } else {
    children.Add(pid);
  }
  accepted.client.reset();  // The parent closes the connected socket: the child owns it now.
}

absl::Status ServeForking(const core::ProgramConfig& config, posix::Acceptor& acceptor,
                          posix::SignalEvents& events, const posix::Console& console) {
  posix::ChildReaper children;
  bool back_off = false;
  while (true) {
    // B2: at --max-children live children, stop polling the listener until one exits; new
    // clients wait in the backlog instead of each costing a process.
    const bool at_cap = config.max_children > 0 &&
                        children.live() >= static_cast<std::size_t>(config.max_children);
    // A back-off leaves the listener out of the poll too (acceptor.h: it would spin).
    const bool skip_listener = at_cap || back_off;
    pollfd fds[2] = {{events.wake_fd(), POLLIN, 0},
                     {skip_listener ? -1 : acceptor.fd(), POLLIN, 0}};
    const int timeout_ms = back_off ? posix::kBackOffMs : -1;
    if (posix::RetryOnEintr([&] { return ::poll(fds, 2, timeout_ms); }) < 0) {
      return posix::ErrnoError(errno, "poll");
    }
    back_off = false;
    const posix::SignalEvents::Set signals = events.Take();
    if (signals.test(SIGCHLD)) LogUnusualExits(children.ReapExited());
    if (signals.test(SIGTERM) || signals.test(SIGINT)) break;
    if ((fds[1].revents & POLLIN) == 0) continue;
    absl::StatusOr<posix::AcceptOutcome> accepted = acceptor.Accept();
    if (!accepted.ok()) return accepted.status();
    back_off = accepted->kind == posix::AcceptOutcome::Kind::kBackOff;
    if (accepted->kind != posix::AcceptOutcome::Kind::kAccepted) continue;  // T3: logged, go on.
    console.Line(core::ConnectedLine(accepted->peer));
    ForkForClient(*accepted, acceptor, events, children, console);
  }
  // G5: end the children and reap them all before exiting (their SIGTERM deaths are expected,
  // so they are not logged).
  children.TerminateAll(SIGTERM, kShutdownGrace);
  return absl::OkStatus();
}

}  // namespace
}  // namespace netref::programs

int main(int argc, char** argv) {
  using namespace netref;
  const core::ProgramConfig config =
      programs::ParseArgsOrExit(core::Program::kForkEchoServer, argc, argv);
  posix::IgnoreSigpipe();
  const posix::Console console(config.quiet);
  console.Line(core::ServerStartLine());
  absl::StatusOr<posix::SignalEvents*> events =
      posix::SignalEvents::Install({SIGTERM, SIGINT, SIGCHLD});
  if (!events.ok()) return programs::Fail(events.status());
  absl::StatusOr<posix::Acceptor> acceptor =
      programs::ListenAndAnnounce(
      config, config.max_children > 0 ? programs::kCappedBacklog : programs::kBacklog, console);
  if (!acceptor.ok()) return programs::Fail(acceptor.status());
  if (absl::Status served = programs::ServeForking(config, *acceptor, **events, console);
      !served.ok()) {
    return programs::Fail(served);
  }
  return 0;  // G5: stopped by SIGTERM or SIGINT, every child reaped.
}

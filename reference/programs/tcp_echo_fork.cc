// tcp_echo_fork: the lecture's fork-per-client TCP echo server (multiProcessTcpServer.c).
// Clauses: G1-G5, T2, T3, T4, B2.
//
// The parent accepts and forks; each child serves one client (T2) and exits 0. The parent reaps
// every child (T4): SIGCHLD wakes the main loop through the signal bridge, and ChildReaper reaps
// with waitpid(-1, WNOHANG) until none is left, because the kernel merges pending SIGCHLDs.
#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "reference/core/console_lines.h"
#include "reference/posix/child_reaper.h"
#include "reference/posix/coverage_flush.h"
#include "reference/posix/echo_loop.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fork_child.h"
#include "reference/posix/server_loop.h"
#include "reference/posix/sigpipe_policy.h"
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
      posix::Console::Error(
          absl::StrCat("child ", child.pid, " ", core::DescribeWaitStatus(child.status)));
    }
  }
}

// The fork for one accepted client. Returns once the parent's part is done.
void ForkForClient(posix::AcceptOutcome& accepted, posix::ServerLoop& loop,
                   posix::SignalBridge& signals, posix::ChildReaper& children,
                   const core::ProgramConfig& config, const posix::Console& console) {
  // The child dies with the parent (SIGTERM, as G5 would end it): no path orphans it.
  const pid_t pid = posix::ForkChild(&signals, SIGTERM);
  if (pid == 0) {
    loop.CloseInChild();  // The child closes the listener: only the parent accepts.
    posix::ServeEchoSession(accepted.client.get(), accepted.peer, console, config.quiet);
    posix::Console::Flush();  // _exit runs no exit handler: the disconnect line goes out here.
    posix::FlushCoverage();
    // T3: the child exits 0. (Never counted: the counters were written just above.)
    ::_exit(0);  // GCOVR_EXCL_LINE
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

absl::Status ServeForking(const core::ProgramConfig& config, posix::ServerLoop& loop,
                          posix::SignalBridge& signals, const posix::Console& console) {
  // Every way out of this function, an error included, goes through `children`: destroyed with
  // children still alive, it kills and reaps them.
  posix::ChildReaper children;
  posix::ServerLoop::Handlers handlers;
  handlers.on_client = [&](posix::AcceptOutcome& client) {
    console.Line(core::ConnectedLine(client.peer));
    ForkForClient(client, loop, signals, children, config, console);
  };
  while (true) {
    loop.SetInService(children.live());  // B2: at the cap, clients wait in the backlog.
    absl::StatusOr<posix::SignalCounts> turn = loop.Turn(handlers);
    if (!turn.ok()) return turn.status();
    // A stop first: children that die of the same Ctrl-C (SIGINT to the whole process group)
    // are then reaped by TerminateAll, silently, as the expected deaths they are.
    if (turn->stop()) break;
    if (turn->of(SIGCHLD) > 0) LogUnusualExits(children.ReapExited());
  }
  // G5: stop accepting before the grace (the kernel would go on completing handshakes that
  // end in a reset), then end the children and reap them all.
  loop.StopAccepting();
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
  posix::Console::HoldUntilWait();  // Every wait of this server flushes first (console.h).
  console.Line(core::ServerStartLine());
  absl::StatusOr<posix::SignalBridge*> signals =
      programs::InstallSignals({{SIGTERM, posix::SignalUse::kStop},
                                {SIGINT, posix::SignalUse::kStop},
                                {SIGCHLD, posix::SignalUse::kNotice}});
  if (!signals.ok()) return programs::Fail(signals.status());
  absl::StatusOr<programs::Listening> listening = programs::Listen(
      config, config.max_children > 0 ? programs::kCappedBacklog : programs::kBacklog,
      posix::ClientSockets::kBlocking);
  if (!listening.ok()) return programs::Fail(listening.status());
  posix::ServerLoop::Options options;
  options.max_in_service = static_cast<std::size_t>(config.max_children);  // B2 (0: no cap).
  absl::StatusOr<posix::ServerLoop> loop =
      posix::ServerLoop::Create(*signals, &listening->acceptor, options);
  if (!loop.ok()) return programs::Fail(loop.status());
  programs::Announce(listening->bound, console);
  if (absl::Status served = programs::ServeForking(config, *loop, **signals, console);
      !served.ok()) {
    return programs::Fail(served);
  }
  return 0;  // G5: stopped by SIGTERM or SIGINT, every child reaped.
}

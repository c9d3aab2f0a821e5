// tcp_echo_iterative: the lecture's iterative TCP echo server (tcpfirstsrv.c).
// Clauses: G1-G5, T1, T2.
//
// One client at a time: while it is served, later clients wait in the listen backlog (2, as the
// lecture's listen(srvSd, 2)), and are served in accept order once it disconnects.
#include <signal.h>

#include "reference/core/console_lines.h"
#include "reference/posix/echo_loop.h"
#include "reference/posix/server_loop.h"
#include "reference/posix/sigpipe_policy.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

constexpr int kBacklog = 2;  // T1: listen(srvSd, 2).

// Accepts and serves clients one after another until SIGTERM or SIGINT (G5).
absl::Status ServeIteratively(const core::ProgramConfig& config, posix::ServerLoop& loop,
                              posix::SignalBridge& signals, const posix::Console& console) {
  posix::ServerLoop::Handlers handlers;
  handlers.on_client = [&](posix::AcceptOutcome& client) {
    console.Line(core::ConnectedLine(client.peer));
    // T2: serve this client to the end. A stop shuts its socket down from the handler, so
    // shutdown is prompt even with a client that sends nothing or reads nothing.
    signals.ShutDownOnStop(client.client.get());
    posix::ServeEchoSession(client.client.get(), client.peer, console, config.quiet);
    signals.ShutDownOnStop(-1);  // Before the socket closes (its UniqueFd, after this).
  };
  while (true) {
    absl::StatusOr<posix::SignalCounts> turn = loop.Turn(handlers);
    if (!turn.ok()) return turn.status();
    if (turn->stop()) return absl::OkStatus();
  }
}

}  // namespace
}  // namespace netref::programs

int main(int argc, char** argv) {
  using namespace netref;
  const core::ProgramConfig config =
      programs::ParseArgsOrExit(core::Program::kIterativeEchoServer, argc, argv);
  posix::IgnoreSigpipe();
  const posix::Console console(config.quiet);
  posix::Console::HoldUntilWait();  // Every wait of this server flushes first (console.h).
  console.Line(core::ServerStartLine());
  absl::StatusOr<posix::SignalBridge*> signals = programs::InstallSignals(
      {{SIGTERM, posix::SignalUse::kStop}, {SIGINT, posix::SignalUse::kStop}});
  if (!signals.ok()) return programs::Fail(signals.status());
  absl::StatusOr<programs::Listening> listening =
      programs::Listen(config, programs::kBacklog, posix::ClientSockets::kBlocking);
  if (!listening.ok()) return programs::Fail(listening.status());
  posix::ServerLoop::Options options;
  options.accept_batch = 1;  // T1: one accept per turn, served to the end before the next.
  options.accept_before_waiting = true;  // The next client is usually queued already.
  absl::StatusOr<posix::ServerLoop> loop =
      posix::ServerLoop::Create(*signals, &listening->acceptor, options);
  if (!loop.ok()) return programs::Fail(loop.status());
  programs::Announce(listening->bound, console);
  if (absl::Status served = programs::ServeIteratively(config, *loop, **signals, console);
      !served.ok()) {
    return programs::Fail(served);
  }
  return 0;  // G5: stopped by SIGTERM or SIGINT.
}

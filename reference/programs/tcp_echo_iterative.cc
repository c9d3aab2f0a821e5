// tcp_echo_iterative: the lecture's iterative TCP echo server (tcpfirstsrv.c).
// Clauses: G1-G5, T1, T2.
//
// One client at a time: while it is served, later clients wait in the listen backlog (2, as the
// lecture's listen(srvSd, 2)), and are served in accept order once it disconnects.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "reference/core/console_lines.h"
#include "reference/posix/echo_loop.h"
#include "reference/posix/io.h"
#include "reference/posix/signal_events.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

constexpr int kBacklog = 2;  // T1: listen(srvSd, 2).

// Accepts and serves clients one after another until SIGTERM or SIGINT (G5).
absl::Status ServeIteratively(posix::Acceptor& acceptor, posix::SignalEvents& events,
                              const posix::Console& console) {
  bool back_off = false;
  while (true) {
    pollfd fds[2] = {{events.wake_fd(), POLLIN, 0}, {back_off ? -1 : acceptor.fd(), POLLIN, 0}};
    const int timeout_ms = back_off ? posix::kBackOffMs : -1;
    if (posix::RetryOnEintr([&] { return ::poll(fds, 2, timeout_ms); }) < 0) {
      return posix::ErrnoError(errno, "poll");
    }
    back_off = false;
    if (events.Take().any()) return absl::OkStatus();  // Only SIGTERM and SIGINT are installed.
    if ((fds[1].revents & POLLIN) == 0) continue;
    absl::StatusOr<posix::AcceptOutcome> accepted = acceptor.Accept();
    if (!accepted.ok()) return accepted.status();
    back_off = accepted->kind == posix::AcceptOutcome::Kind::kBackOff;
    if (accepted->kind != posix::AcceptOutcome::Kind::kAccepted) continue;
    console.Line(core::ConnectedLine(accepted->peer));
    // T2: serve this client to the end; a signal cancels the session so shutdown is prompt.
    posix::ServeEchoSession(accepted->client.get(), accepted->peer, console, events.wake_fd());
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
  console.Line(core::ServerStartLine());
  absl::StatusOr<posix::SignalEvents*> events = posix::SignalEvents::Install({SIGTERM, SIGINT});
  if (!events.ok()) return programs::Fail(events.status());
  absl::StatusOr<posix::Acceptor> acceptor =
      programs::ListenAndAnnounce(config, programs::kBacklog, console);
  if (!acceptor.ok()) return programs::Fail(acceptor.status());
  if (absl::Status served = programs::ServeIteratively(*acceptor, **events, console);
      !served.ok()) {
    return programs::Fail(served);
  }
  return 0;  // G5: stopped by SIGTERM or SIGINT.
}

// udp_chat_server: the lecture's UDP chat relay (ChatServer.c). Clauses: G1-G5, C1-C6.
//
// One UDP socket (C1). Each datagram goes to the pure core's ChatRelay, which decides the client
// list (C2, C5), the console lines (C3, C6) and the datagrams to send (C4); this file only
// receives, prints and sends what the plan says. SIGTERM and SIGINT end the loop and exit 0 (G5).
#include <poll.h>
#include <signal.h>

#include <cerrno>

#include "reference/core/console_lines.h"
#include "reference/core/relay_plan.h"
#include "reference/posix/datagram.h"
#include "reference/posix/io.h"
#include "reference/posix/signal_events.h"
#include "reference/posix/socket.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

// Carries out one plan. C4: a failed send to one client is logged and the relay goes on to
// the rest: one unreachable client must not silence the room.
void CarryOut(const core::RelayPlan& plan, int fd, const posix::Console& console) {
  for (const std::string& line : plan.console_lines) console.Detail(line);  // G3: --quiet.
  for (const core::OutgoingDatagram& datagram : plan.sends) {
    if (absl::Status sent = posix::SendDatagram(fd, datagram.to, datagram.bytes); !sent.ok()) {
      posix::Console::Error(posix::MessageOf(sent));
    }
  }
}

// A receive error that says the socket itself is broken (a bug), not one datagram's trouble.
bool IsFatalReceiveError(int err) {
  return err == EBADF || err == ENOTSOCK || err == EFAULT || err == EINVAL;
}

absl::Status Relay(const core::ProgramConfig& config, int fd, posix::SignalEvents& events,
                   const posix::Console& console) {
  core::ChatRelay relay(static_cast<std::size_t>(config.max_clients), config.leave_on_end);
  while (true) {
    pollfd fds[2] = {{events.wake_fd(), POLLIN, 0}, {fd, POLLIN, 0}};
    if (posix::RetryOnEintr([&] { return ::poll(fds, 2, -1); }) < 0) {
      return posix::ErrnoError(errno, "poll");
    }
    const posix::SignalEvents::Set signals = events.Take();
    if (signals.test(SIGTERM) || signals.test(SIGINT)) return absl::OkStatus();  // G5
    if ((fds[1].revents & (POLLIN | POLLERR)) == 0) continue;
    // C1, G4: at most 8191 bytes; C6: recvmsg reports whether the kernel cut the datagram.
    absl::StatusOr<std::optional<posix::ReceivedDatagram>> received =
        posix::ReceiveDatagram(fd, core::kMaxDatagram, /*block=*/false);
    if (!received.ok()) {
      // Deviation: the lecture exits on any recvfrom error; netref logs a passing one.
      if (IsFatalReceiveError(posix::ErrnoOf(received.status()))) return received.status();
      posix::Console::Error(posix::MessageOf(received.status()));
      continue;
    }
    if (!received->has_value()) continue;  // Poll's readiness was stale (a dropped datagram).
    const posix::ReceivedDatagram& datagram = **received;
    CarryOut(relay.OnDatagram(datagram.sender, datagram.bytes, datagram.truncated), fd, console);
  }
}

}  // namespace
}  // namespace netref::programs

int main(int argc, char** argv) {
  using namespace netref;
  const core::ProgramConfig config =
      programs::ParseArgsOrExit(core::Program::kChatServer, argc, argv);
  posix::IgnoreSigpipe();
  const posix::Console console(config.quiet);
  absl::StatusOr<posix::SignalEvents*> events = posix::SignalEvents::Install({SIGTERM, SIGINT});
  if (!events.ok()) return programs::Fail(events.status());
  absl::StatusOr<posix::UniqueFd> socket = posix::BindUdp(config.endpoint);
  if (!socket.ok()) return programs::Fail(socket.status());
  absl::StatusOr<core::Endpoint> bound = posix::LocalEndpoint(socket->get());
  if (!bound.ok()) return programs::Fail(bound.status());
  console.Line(core::ListeningLine(*bound));  // G2
  if (absl::Status relayed = programs::Relay(config, socket->get(), **events, console);
      !relayed.ok()) {
    return programs::Fail(relayed);
  }
  return 0;  // G5: stopped by SIGTERM or SIGINT.
}

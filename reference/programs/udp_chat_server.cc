// udp_chat_server: the lecture's UDP chat relay (ChatServer.c). Clauses: G1-G5, C1-C6.
//
// One UDP socket (C1). Each datagram goes to the pure core's ChatRelay, which decides the client
// list (C2, C5), the console lines (C3), the events (C6) and the datagrams to send (C4); this
// file only receives, prints and sends what the plan says. SIGTERM and SIGINT end the loop and
// exit 0 (G5).
#include <signal.h>
#include <sys/epoll.h>

#include <cerrno>

#include "reference/core/console_lines.h"
#include "reference/core/lecture_limits.h"
#include "reference/core/relay_plan.h"
#include "reference/posix/datagram.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/inet_socket.h"
#include "reference/posix/server_loop.h"
#include "reference/posix/sigpipe_policy.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

// Datagrams taken per turn at most, so a flood cannot keep the loop from its signals.
constexpr int kDatagramsPerTurn = 64;

// Carries out one plan. C6: an event goes to stderr, never silenced. C4: a failed send to one
// client is logged and the relay goes on to the rest: one unreachable client must not silence
// the room.
void CarryOut(const core::RelayPlan& plan, int fd, const posix::Console& console) {
  for (const std::string& event : plan.events) posix::Console::Error(event);
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

// Relays what the socket holds now, up to kDatagramsPerTurn datagrams.
absl::Status RelayWaiting(core::ChatRelay& relay, int fd, const posix::Console& console) {
  for (int i = 0; i < kDatagramsPerTurn; ++i) {
    // C1, G4: at most 8191 bytes; C6: recvmsg reports whether the kernel cut the datagram.
    absl::StatusOr<std::optional<posix::ReceivedDatagram>> received =
        posix::ReceiveDatagram(fd, core::kMaxRead, /*block=*/false);
    if (!received.ok()) {
      // Deviation: the lecture exits on any recvfrom error; netref logs a passing one.
      if (IsFatalReceiveError(posix::ErrnoOf(received.status()))) return received.status();
      posix::Console::Error(posix::MessageOf(received.status()));
      continue;
    }
    if (!received->has_value()) return absl::OkStatus();  // Nothing more waiting.
    const posix::ReceivedDatagram& datagram = **received;
    CarryOut(relay.OnDatagram(datagram.sender, datagram.bytes, datagram.truncated), fd, console);
  }
  return absl::OkStatus();
}

absl::Status Relay(const core::ProgramConfig& config, int fd, posix::ServerLoop& loop,
                   const posix::Console& console) {
  core::ChatRelay relay(static_cast<std::size_t>(config.max_clients), config.leave_on_end);
  if (absl::Status watched = loop.Watch(fd, EPOLLIN); !watched.ok()) return watched;
  absl::Status relayed = absl::OkStatus();
  posix::ServerLoop::Handlers handlers;
  handlers.on_ready = [&](int, std::uint32_t) { relayed = RelayWaiting(relay, fd, console); };
  while (true) {
    absl::StatusOr<posix::SignalCounts> turn = loop.Turn(handlers);
    if (!turn.ok()) return turn.status();
    if (!relayed.ok()) return relayed;
    if (turn->stop()) return absl::OkStatus();  // G5
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
  absl::StatusOr<posix::SignalBridge*> signals = programs::InstallSignals(
      {{SIGTERM, posix::SignalUse::kStop}, {SIGINT, posix::SignalUse::kStop}});
  if (!signals.ok()) return programs::Fail(signals.status());
  absl::StatusOr<posix::UniqueFd> socket = posix::BindUdp(config.endpoint);
  if (!socket.ok()) return programs::Fail(socket.status());
  absl::StatusOr<core::Endpoint> bound = posix::LocalEndpoint(socket->get());
  if (!bound.ok()) return programs::Fail(bound.status());
  absl::StatusOr<posix::ServerLoop> loop =
      posix::ServerLoop::Create(*signals, /*acceptor=*/nullptr, posix::ServerLoop::Options());
  if (!loop.ok()) return programs::Fail(loop.status());
  programs::Announce(*bound, console);  // G2, once the server is ready.
  if (absl::Status relayed = programs::Relay(config, socket->get(), *loop, console);
      !relayed.ok()) {
    return programs::Fail(relayed);
  }
  return 0;  // G5: stopped by SIGTERM or SIGINT.
}

// tcp_echo_epoll: a single-process, non-blocking echo server on epoll, the other reference
// design of the benchmark (B1). Clauses: G1-G5, T2, B1.
//
// One process serves every client at once: epoll (level-triggered) reports which sockets are
// ready, and each connection keeps its own core::EchoSession and core::OutputBuffer, so a short
// write leaves the rest in the buffer until the socket is writable again. Must not: block on a
// client socket, or read from a client whose echo has not been written yet (that backpressure
// keeps a client that never reads from growing the server's memory).
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "reference/core/console_lines.h"
#include "reference/core/echo_session.h"
#include "reference/core/output_buffer.h"
#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"
#include "reference/posix/server_loop.h"
#include "reference/posix/sigpipe_policy.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

constexpr int kBacklog = 128;

struct Connection {
  Connection(posix::UniqueFd client_fd, const core::Endpoint& client_peer, bool quiet)
      : fd(std::move(client_fd)), peer(client_peer), session(client_peer.port, quiet) {}
  posix::UniqueFd fd;
  core::Endpoint peer;
  core::EchoSession session;
  core::OutputBuffer output;
};

class EpollServer {
 public:
  EpollServer(posix::ServerLoop& loop, const posix::Console& console, bool quiet)
      : loop_(loop), console_(console), quiet_(quiet) {
    handlers_.on_client = [this](posix::AcceptOutcome& client) { OnClient(client); };
    handlers_.on_ready = [this](int fd, std::uint32_t events) { OnClientReady(fd, events); };
  }

  // Runs until SIGTERM or SIGINT (G5). Open connections are closed on return (their UniqueFds).
  absl::Status Run() {
    while (true) {
      absl::StatusOr<posix::SignalCounts> turn = loop_.Turn(handlers_);
      if (!turn.ok()) return turn.status();
      if (turn->stop()) return absl::OkStatus();
    }
  }

 private:
  void OnClient(posix::AcceptOutcome& accepted) {
    console_.Line(core::ConnectedLine(accepted.peer));
    const int fd = accepted.client.get();  // Non-blocking already (ClientSockets::kNonBlocking).
    if (absl::Status ok = loop_.Watch(fd, EPOLLIN); !ok.ok()) {
      // This one client cannot be served: close it (its UniqueFd) and go on.
      posix::Console::Error(
          absl::StrCat("Client(", accepted.peer.port, "): ", posix::MessageOf(ok)));
      return;
    }
    connections_.emplace(
        fd, std::make_unique<Connection>(std::move(accepted.client), accepted.peer, quiet_));
  }

  void OnClientReady(int fd, std::uint32_t events) {
    auto it = connections_.find(fd);
    if (it == connections_.end()) return;  // Closed earlier in this batch of events.
    Connection& connection = *it->second;
    if (!connection.output.empty()) {
      // Waiting for EPOLLOUT: finish the echo first; reading resumes when it is all written.
      if (!Flush(connection)) return;
      if (connection.output.empty()) Rewatch(connection, EPOLLIN);
      return;
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) == 0) return;
    // G4: one read of at most 8191 bytes per wake-up; level-triggered epoll reports the rest, so
    // one busy client cannot starve the others.
    char buffer[core::kMaxRead];
    absl::StatusOr<std::size_t> n = posix::ReadSome(fd, buffer, sizeof buffer);
    if (!n.ok() && posix::ErrnoOf(n.status()) == EAGAIN) return;  // A spurious wake-up.
    if (!n.ok()) return Fail(connection, n.status());
    if (*n == 0) {
      console_.Line(connection.session.OnEof());  // T2: `Client(PORT): is disconnected`.
      return Close(connection);
    }
    core::EchoStep step = connection.session.OnRead(std::string_view(buffer, *n));
    if (!quiet_) console_.Detail(step.console_line);
    // The echo goes out of the read buffer at once; only what the socket does not take now is
    // kept, for EPOLLOUT.
    std::string_view reply = step.reply;
    if (!Send(connection, reply)) return;
    if (reply.empty()) return;
    connection.output.Append(reply);
    Rewatch(connection, EPOLLOUT);  // T2: a short write is completed later; no reading until.
  }

  // Writes what the buffer holds, as far as the socket takes it now. False if the connection
  // failed (and is closed).
  bool Flush(Connection& connection) {
    std::string_view pending = connection.output.Pending();
    const std::size_t before = pending.size();
    if (!Send(connection, pending)) return false;
    connection.output.Consume(before - pending.size());
    return true;
  }

  // Sends from `bytes` what the socket takes now, dropping it from the front of `bytes`. False
  // if the connection failed (and is closed).
  bool Send(Connection& connection, std::string_view& bytes) {
    while (!bytes.empty()) {
      // MSG_NOSIGNAL beside the process-wide SIGPIPE ignore: a vanished peer is EPIPE here.
      const ssize_t n = posix::RetryOnEintr(
          [&] { return ::send(connection.fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL); });
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n < 0) {
        Fail(connection, posix::ErrnoError(errno, "write"));
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  void Rewatch(Connection& connection, std::uint32_t events) {
    if (absl::Status s = loop_.Rewatch(connection.fd.get(), events); !s.ok()) {
      Fail(connection, s);
    }
  }

  // T2: a peer reset ends the session, never the server.
  void Fail(Connection& connection, const absl::Status& status) {
    posix::Console::Error(
        absl::StrCat("Client(", connection.peer.port, "): ", posix::MessageOf(status)));
    console_.Line(connection.session.OnEof());
    Close(connection);
  }

  // Closing the fd removes it from the epoll set (it is the only reference to the socket).
  void Close(Connection& connection) { connections_.erase(connection.fd.get()); }

  posix::ServerLoop& loop_;
  const posix::Console& console_;
  const bool quiet_;
  posix::ServerLoop::Handlers handlers_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
};

}  // namespace
}  // namespace netref::programs

int main(int argc, char** argv) {
  using namespace netref;
  const core::ProgramConfig config =
      programs::ParseArgsOrExit(core::Program::kEpollEchoServer, argc, argv);
  posix::IgnoreSigpipe();
  const posix::Console console(config.quiet);
  posix::Console::HoldUntilWait();  // Every wait of this server flushes first (console.h).
  console.Line(core::ServerStartLine());
  absl::StatusOr<posix::SignalBridge*> signals = programs::InstallSignals(
      {{SIGTERM, posix::SignalUse::kStop}, {SIGINT, posix::SignalUse::kStop}});
  if (!signals.ok()) return programs::Fail(signals.status());
  absl::StatusOr<programs::Listening> listening =
      programs::Listen(config, programs::kBacklog, posix::ClientSockets::kNonBlocking);
  if (!listening.ok()) return programs::Fail(listening.status());
  // Up to 64 accepts a turn (the default): a flood of connections cannot starve the sessions.
  absl::StatusOr<posix::ServerLoop> loop =
      posix::ServerLoop::Create(*signals, &listening->acceptor, posix::ServerLoop::Options());
  if (!loop.ok()) return programs::Fail(loop.status());
  programs::Announce(listening->bound, console);
  programs::EpollServer server(*loop, console, config.quiet);
  if (absl::Status served = server.Run(); !served.ok()) return programs::Fail(served);
  return 0;  // G5: stopped by SIGTERM or SIGINT; every connection closed.
}

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
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "absl/strings/str_cat.h"
#include "reference/core/console_lines.h"
#include "reference/core/echo_session.h"
#include "reference/core/output_buffer.h"
#include "reference/posix/io.h"
#include "reference/posix/signal_events.h"
#include "reference/posix/socket.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

constexpr int kBacklog = 128;
constexpr int kMaxEvents = 64;
constexpr int kAcceptsPerWake = 64;  // Bounds one wake-up's accepts, so sessions are not starved.

struct Connection {
  Connection(posix::UniqueFd client_fd, const core::Endpoint& client_peer)
      : fd(std::move(client_fd)), peer(client_peer), session(client_peer.port) {}
  posix::UniqueFd fd;
  core::Endpoint peer;
  core::EchoSession session;
  core::OutputBuffer output;
};

class EpollServer {
 public:
  EpollServer(posix::UniqueFd epoll_fd, posix::Acceptor& acceptor, posix::SignalEvents& events,
              const posix::Console& console)
      : epoll_(std::move(epoll_fd)), acceptor_(acceptor), events_(events), console_(console) {}

  // Runs until SIGTERM or SIGINT (G5). Open connections are closed on return (their UniqueFds).
  absl::Status Run() {
    if (absl::Status s = Watch(events_.wake_fd(), EPOLLIN, EPOLL_CTL_ADD); !s.ok()) return s;
    if (absl::Status s = Watch(acceptor_.fd(), EPOLLIN, EPOLL_CTL_ADD); !s.ok()) return s;
    epoll_event ready[kMaxEvents];
    int timeout_ms = -1;
    while (true) {
      const int n = posix::RetryOnEintr(
          [&] { return ::epoll_wait(epoll_.get(), ready, kMaxEvents, timeout_ms); });
      if (n < 0) return posix::ErrnoError(errno, "epoll_wait");
      timeout_ms = -1;
      if (n == 0) {  // The back-off after a transient accept error is over.
        if (absl::Status s = Watch(acceptor_.fd(), EPOLLIN, EPOLL_CTL_MOD); !s.ok()) return s;
        continue;
      }
      for (int i = 0; i < n; ++i) {
        const int fd = ready[i].data.fd;
        if (fd == events_.wake_fd()) {
          if (events_.Take().any()) return absl::OkStatus();  // Only SIGTERM, SIGINT installed.
        } else if (fd == acceptor_.fd()) {
          absl::StatusOr<bool> backed_off = AcceptSome();
          if (!backed_off.ok()) return backed_off.status();
          if (*backed_off) timeout_ms = posix::kBackOffMs;
        } else {
          OnClientReady(fd, ready[i].events);
        }
      }
    }
  }

 private:
  absl::Status Watch(int fd, std::uint32_t events, int op) {
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (::epoll_ctl(epoll_.get(), op, fd, &event) != 0) return posix::ErrnoError(errno, "epoll_ctl");
    return absl::OkStatus();
  }

  // Accepts the waiting connections (up to kAcceptsPerWake). True if a transient error asks
  // for a back-off: the listener is then left out of epoll for one timeout.
  absl::StatusOr<bool> AcceptSome() {
    for (int i = 0; i < kAcceptsPerWake; ++i) {
      absl::StatusOr<posix::AcceptOutcome> accepted = acceptor_.Accept();
      if (!accepted.ok()) return accepted.status();
      using Kind = posix::AcceptOutcome::Kind;
      if (accepted->kind == Kind::kNothing) return false;
      if (accepted->kind != Kind::kAccepted) {
        // T3 (shared): an accept error is logged (by the Acceptor) and the loop goes on.
        if (accepted->kind == Kind::kShed) continue;
        if (absl::Status s = Watch(acceptor_.fd(), 0, EPOLL_CTL_MOD); !s.ok()) return s;
        return true;
      }
      console_.Line(core::ConnectedLine(accepted->peer));
      const int fd = accepted->client.get();
      absl::Status ok = posix::SetNonBlocking(fd, true);
      if (ok.ok()) ok = Watch(fd, EPOLLIN, EPOLL_CTL_ADD);
      if (!ok.ok()) {
        // This one client cannot be served: close it (its UniqueFd) and go on.
        posix::Console::Error(absl::StrCat("Client(", accepted->peer.port, "): ",
                                           posix::MessageOf(ok)));
        continue;
      }
      connections_.emplace(fd, std::make_unique<Connection>(std::move(accepted->client),
                                                            accepted->peer));
    }
    return false;
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
    console_.Detail(step.console_line);
    connection.output.Append(step.reply);
    if (!Flush(connection)) return;
    // T2: a short write is completed later; stop reading until it is.
    if (!connection.output.empty()) Rewatch(connection, EPOLLOUT);
  }

  // Writes what the socket takes now. False if the connection failed (and is closed).
  bool Flush(Connection& connection) {
    while (!connection.output.empty()) {
      const std::string_view pending = connection.output.Pending();
      // MSG_NOSIGNAL beside the process-wide SIGPIPE ignore: a vanished peer is EPIPE here.
      const ssize_t n = posix::RetryOnEintr([&] {
        return ::send(connection.fd.get(), pending.data(), pending.size(), MSG_NOSIGNAL);
      });
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n < 0) {
        Fail(connection, posix::ErrnoError(errno, "write"));
        return false;
      }
      connection.output.Consume(static_cast<std::size_t>(n));
    }
    return true;
  }

  void Rewatch(Connection& connection, std::uint32_t events) {
    if (absl::Status s = Watch(connection.fd.get(), events, EPOLL_CTL_MOD); !s.ok()) {
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

  posix::UniqueFd epoll_;
  posix::Acceptor& acceptor_;
  posix::SignalEvents& events_;
  const posix::Console& console_;
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
  console.Line(core::ServerStartLine());
  absl::StatusOr<posix::SignalEvents*> events = posix::SignalEvents::Install({SIGTERM, SIGINT});
  if (!events.ok()) return programs::Fail(events.status());
  absl::StatusOr<posix::Acceptor> acceptor =
      programs::ListenAndAnnounce(config, programs::kBacklog, console);
  if (!acceptor.ok()) return programs::Fail(acceptor.status());
  posix::UniqueFd epoll_fd(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_fd.valid()) return programs::Fail(posix::ErrnoError(errno, "epoll_create1"));
  programs::EpollServer server(std::move(epoll_fd), *acceptor, **events, console);
  if (absl::Status served = server.Run(); !served.ok()) return programs::Fail(served);
  return 0;  // G5: stopped by SIGTERM or SIGINT; every connection closed.
}

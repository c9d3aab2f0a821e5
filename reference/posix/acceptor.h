// acceptor.h: a listening socket and the one accept-errno policy of every TCP server.
//
// accept(2) errors fall in three kinds, decided in one switch (acceptor.cc):
//   nothing to do  EAGAIN, ECONNABORTED, EPROTO and the pending network errors that accept(2)
//                  says to treat like EAGAIN: no connection this time, no log line;
//   out of fds     EMFILE, ENFILE: shed one pending connection with a reserve fd (as libuv
//                  does), so the server neither spins on a full backlog nor lets it hang;
//   transient      ENOBUFS, ENOMEM, EPERM (firewall): log it and back off briefly;
//   fatal          EBADF, EINVAL, ENOTSOCK, EFAULT, anything else: a bug, reported as an error.
// EINTR never reaches the caller: RetryOnEintr retries it silently (T4). The timing of a
// back-off (its deadline, and re-arming the listener when it passes) is server_loop.h's.
#ifndef NETREF_REFERENCE_POSIX_ACCEPTOR_H_
#define NETREF_REFERENCE_POSIX_ACCEPTOR_H_

#include <chrono>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reference/core/ipv4.h"
#include "reference/posix/unique_fd.h"

namespace netref::posix {

struct AcceptOutcome {
  enum class Kind {
    kAccepted,  // `client` and `peer` are set.
    kNothing,   // No connection now; poll again.
    kShed,      // Out of fds: one pending connection was accepted and closed (logged).
    kBackOff,   // A transient error (logged): leave the listener out of every wait until
                // kBackOff has passed. The listener stays readable meanwhile, so waiting on it
                // would return at once and spin on the failing accept.
    kNoRoom,    // ListenerWaits::kInAccept only: out of fds with no client queued (accept4 says
                // EMFILE before it looks). Nothing to shed or log: wait in epoll until a client
                // is queued, then accept again (and shed it if there is still no room).
  };
  Kind kind = Kind::kNothing;
  UniqueFd client;
  core::Endpoint peer;
};

inline constexpr std::chrono::milliseconds kBackOff{100};  // As sshd's pause after a failure.

// How accepted sockets come: blocking for a process that serves one client at a time and may
// wait on it (the iterative server, a fork server's child, a pre-forked worker); non-blocking for
// one that must never wait on a client (the epoll server), which accept4 sets at once instead of
// two fcntl calls per client.
enum class ClientSockets { kBlocking, kNonBlocking };

// How accept waits: not at all (an event loop learns from epoll when a client is there), or in
// accept itself, for pre-forked workers that have nothing else to wait for: the kernel then
// hands each connection to exactly one waiting worker (see ServerLoop::Options::wait_in_accept).
enum class ListenerWaits { kInEpoll, kInAccept };

class Acceptor {
 public:
  // Takes a listening socket; makes it non-blocking for kInEpoll (a wake-up may find the client
  // gone, taken by another process or reset, and the accept must then say EAGAIN, not block)
  // and opens the reserve fd.
  static absl::StatusOr<Acceptor> Create(UniqueFd listener, ClientSockets clients,
                                         ListenerWaits waits = ListenerWaits::kInEpoll);

  // Accepts one connection (accept4 with SOCK_CLOEXEC, and SOCK_NONBLOCK for kNonBlocking; the
  // client socket has TCP_NODELAY). Shed and back-off errors are logged on stderr here (T3: an
  // accept error is logged and the loop goes on); a fatal error is returned as a status.
  absl::StatusOr<AcceptOutcome> Accept();

  int fd() const { return listener_.get(); }
  // False once the listener was shut down (StopListening, here or in the process that shares it).
  bool listening() const;

  // G5: stops accepting, for every process that shares the listener. shutdown(SHUT_RD) takes
  // the socket out of LISTEN (the kernel refuses new connections and resets those still
  // queued), even in a pre-forked worker that still holds it; then the listener and the
  // reserve are closed. Called before a server's shutdown grace, not after.
  void StopListening();

  // Reopens the reserve fd at the lowest free number. A pre-forked worker does this once its
  // parent's other fds are closed: a reserve above a free fd is no use at the limit that
  // stops an accept there (the shedding accept would get EMFILE too).
  void RenewReserve();

  // The child of a fork server closes the listener: only the parent accepts, and a listener held
  // open by a child keeps the port busy after the parent exits.
  void CloseInChild() {
    listener_.reset();
    reserve_.reset();
  }

 private:
  Acceptor(UniqueFd listener, UniqueFd reserve, int accept_flags, ListenerWaits waits)
      : listener_(std::move(listener)),
        reserve_(std::move(reserve)),
        accept_flags_(accept_flags),
        waits_(waits) {}

  UniqueFd listener_;
  UniqueFd reserve_;  // An fd on /dev/null, given up to accept-and-close when out of fds.
  int accept_flags_;  // accept4's flags for a client socket.
  ListenerWaits waits_;
};

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_ACCEPTOR_H_

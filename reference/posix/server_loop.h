// server_loop.h: the one wait of every netref server, with the accept policy's timing (T3's
// back-off, B2's cap) beside the decision (acceptor.h), on one epoll set.
//
// Each Turn() writes the console's held lines (Console::Flush), waits until a signal comes, a client can be accepted, a watched fd is ready, or a
// deadline passes, and then hands over, in this order:
//   signals  the bridge's delivery counts, taken only when its wake fd fired;
//   clients  up to `accept_batch` accepted connections (redis accepts up to 1000 a wake-up),
//            while the B2 cap has room, each handed to on_client before the next accept;
//   fds      on_ready for each watched fd that is ready (the epoll server's clients, the chat
//            server's socket).
// The back-off is a deadline on the steady clock: an accept that asks for one (acceptor.h)
// takes the listener out of the set, every wait's timeout is computed from the deadline, and
// the listener goes back in once it has passed, whatever woke the loop meanwhile (a client's
// traffic, a storm of SIGCHLDs). At the cap the listener is out of the set too, and clients
// wait in the backlog. After a stop signal nothing more is accepted.
// Must not: decide anything about a client (the caller's handlers do), or sleep.
#ifndef NETREF_REFERENCE_POSIX_SERVER_LOOP_H_
#define NETREF_REFERENCE_POSIX_SERVER_LOOP_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reference/posix/acceptor.h"
#include "reference/posix/signal_bridge.h"
#include "reference/posix/unique_fd.h"

namespace netref::posix {

class ServerLoop {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::size_t accept_batch = 64;   // Accepts per Turn at most; 1: one client at a time.
    std::size_t max_in_service = 0;  // B2: no accepting while this many are served (0: no cap).
    // After a turn that accepted, the next one tries accept before it waits, as a blocking
    // accept loop would: a server that serves one client at a time finds the next one queued
    // more often than not, and then neither waits nor flushes its console in between. Signals
    // are still taken at the next wait, and a stop is seen at once (stop_requested); so only
    // for a loop that accepts and watches no fd (the iterative server). Not for pre-forked
    // workers: there an idle worker has usually been woken for the queued client already, and
    // the accept that finds it gone costs a call per client (measured: 37 against 34 µs of
    // server CPU per connection).
    bool accept_before_waiting = false;
    // The wait is accept itself, on a blocking listener (ListenerWaits::kInAccept), as in the
    // textbook's pre-forked server: the kernel wakes exactly one waiting process per connection,
    // where EPOLLEXCLUSIVE may wake several and the losers' accepts find nothing. Only for a
    // loop with nothing else to wait for (no signals, no watched fds: a pre-forked worker). A
    // back-off still waits in epoll_wait, on an empty set, until its deadline, and so does a
    // loop out of fds with no client queued (kNoRoom), on the listener, until one is.
    bool wait_in_accept = false;
  };

  struct Handlers {
    std::function<void(AcceptOutcome& client)> on_client;  // kAccepted: client and peer set.
    std::function<void(int fd, std::uint32_t events)> on_ready;
  };

  // `signals` may be null (a pre-forked worker keeps the default actions), and so may
  // `acceptor` (a loop that accepts nothing: the chat server, a pool's supervisor).
  static absl::StatusOr<ServerLoop> Create(SignalBridge* signals, Acceptor* acceptor,
                                           Options options);

  // Adds `fd` to the set for `events` (EPOLLIN, EPOLLOUT, level-triggered), or changes them.
  // A watched fd leaves the set when it is closed.
  absl::Status Watch(int fd, std::uint32_t events);
  absl::Status Rewatch(int fd, std::uint32_t events);

  // B2: the clients in service now (the fork server's live children), before each Turn.
  void SetInService(std::size_t in_service) { in_service_ = in_service; }

  // One turn, as above; by `until` at the latest. Returns the signals that came, or a fatal
  // error (of epoll_wait, or of accept: acceptor.h's last kind).
  absl::StatusOr<SignalCounts> Turn(const Handlers& handlers,
                                    std::optional<Clock::time_point> until = std::nullopt);

  // G5: no more accepting, and the listener is shut down and closed (Acceptor::StopListening).
  void StopAccepting();

  // In a forked child: the epoll set and the listener are the parent's, and the child closes
  // its copies (a child holding the listener keeps the port busy after the parent exits).
  void CloseInChild();

 private:
  ServerLoop(UniqueFd epoll, SignalBridge* signals, Acceptor* acceptor, Options options)
      : epoll_(std::move(epoll)), signals_(signals), acceptor_(acceptor), options_(options) {}

  absl::Status Control(int op, int fd, std::uint32_t events);
  absl::Status ArmListener(bool armed);
  bool Accepting(Clock::time_point now) const;  // The listener belongs in the set now.
  absl::Status AcceptSome(const Handlers& handlers);

  struct Ready {
    int fd;
    std::uint32_t events;
  };

  UniqueFd epoll_;
  SignalBridge* signals_;
  Acceptor* acceptor_;
  Options options_;
  bool listener_armed_ = false;
  bool stopped_ = false;
  bool accepted_last_turn_ = false;
  bool awaiting_client_ = false;  // kNoRoom: the next waits are in epoll, for a queued client.
  std::size_t in_service_ = 0;
  Clock::time_point back_off_until_{};  // The listener stays out of the set until then.
  std::vector<Ready> ready_;
};

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_SERVER_LOOP_H_

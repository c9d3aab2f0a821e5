// signal_bridge.h: the one bridge from signal handlers to a program's main loop. It counts
// deliveries, per signal, in the handler itself.
//
// A handler here does only async-signal-safe work: it saves errno, adds one to its signal's
// count (a lock-free atomic), pokes an eventfd that the main loop waits on, and restores errno.
// The main loop then takes the counts (read and reset at once). Two deliveries the main loop
// has not looked at yet are two, not one: the lecture's S1 handler counts each one, and so
// does this. (The kernel still merges a signal sent while the same one is pending: that is a
// single delivery, and counts as one.) A stop signal also pokes a second eventfd that is never
// drained, so every wait that must give up on a stop (a console write) can watch it, and a stop
// is never taken away by a Take() elsewhere; and it can shut a session's socket down
// (ShutDownOnStop), which no blocked read or write can miss.
#ifndef NETREF_REFERENCE_POSIX_SIGNAL_BRIDGE_H_
#define NETREF_REFERENCE_POSIX_SIGNAL_BRIDGE_H_

#include <array>
#include <bitset>
#include <initializer_list>

#include "absl/status/statusor.h"

namespace netref::posix {

inline constexpr int kMaxSignal = 64;

// What a program does with a signal it handles; SA_RESTART follows from it (signal_bridge.cc).
enum class SignalUse {
  kStop,    // SIGTERM, SIGINT (and SIGHUP for the chat client): the program must stop (G5).
  kNotice,  // SIGCHLD: something for the main loop to look at (T4: reap).
  kCount,   // S1's SIGINT: each delivery is counted, and the last one restores the default.
};

struct SignalSpec {
  int signal;
  SignalUse use;
  // After this many deliveries the handler restores the default action itself, so that the
  // next one meets SIG_DFL however far behind the main loop is (0: never). S1: 10 lives.
  int default_after = 0;
};

// The deliveries of each signal between two Take()s, handed to the caller by name.
class SignalCounts {
 public:
  int of(int signal) const {
    return signal > 0 && signal <= kMaxSignal ? counts_[static_cast<std::size_t>(signal)] : 0;
  }
  bool stop() const { return stop_; }  // A kStop signal is among them.
  bool any() const;

 private:
  friend class SignalBridge;
  std::array<int, kMaxSignal + 1> counts_{};
  bool stop_ = false;
};

class SignalBridge {
 public:
  // Installs the handler for `specs` and returns the process's one instance. Call before any
  // fork, and before the program's first wait.
  static absl::StatusOr<SignalBridge*> Install(std::initializer_list<SignalSpec> specs);

  // Readable whenever a signal has come that Take() has not reported yet.
  int wake_fd() const { return wake_fd_; }
  // Readable, for good, once a stop signal has come.
  int stop_fd() const { return stop_fd_; }
  bool stop_requested() const;

  // Drains the wake fd and returns (and resets) the deliveries counted since the last call.
  SignalCounts Take();

  // While the iterative server serves its one client on `fd`, a stop signal shuts that socket
  // down from the handler itself (shutdown is async-signal-safe): a read or write blocked on it
  // returns at once (EOF, EPIPE), and so does one about to start, so the session ends however
  // the client behaves, with no wait per read. Shut at once if a stop came already. -1: none
  // (clear it before the fd is closed, so the handler never shuts a reused fd number).
  void ShutDownOnStop(int fd);

  // In a child just forked (ForkChild, with every signal blocked): the default action for every
  // signal installed here, counts cleared, both fds closed. The child neither pokes its
  // parent's fds nor runs the parent's handlers.
  void ResetInChild();

 private:
  SignalBridge(int wake_fd, int stop_fd) : wake_fd_(wake_fd), stop_fd_(stop_fd) {}

  int wake_fd_;
  int stop_fd_;
  std::bitset<kMaxSignal + 1> installed_;
};

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_SIGNAL_BRIDGE_H_

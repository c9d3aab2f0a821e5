// signal_events.h: the one bridge from signal handlers to a program's main loop, and the one
// sigaction wrapper.
//
// A handler here does only async-signal-safe work: it saves errno, sets a sig_atomic_t flag,
// writes one byte to a non-blocking self-pipe, and restores errno. The main loop polls the
// pipe's read end beside its sockets, so a signal that lands just before poll is never lost,
// and then asks Take() which signals came. Signals coalesce: fifty SIGCHLDs may arrive as one,
// so a SIGCHLD means "reap until nothing is left", never "one child exited".
#ifndef NETREF_REFERENCE_POSIX_SIGNAL_EVENTS_H_
#define NETREF_REFERENCE_POSIX_SIGNAL_EVENTS_H_

#include <sys/types.h>

#include <bitset>
#include <initializer_list>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace netref::posix {

// SIGPIPE policy, for the whole process: ignored once at start, so a write to a vanished peer
// fails with EPIPE where it happens instead of killing the process. Forked children inherit it.
void IgnoreSigpipe();

// The sigaction wrapper. `flags` are SA_* flags; each caller says why it wants SA_RESTART or not.
// The handler runs with every other signal blocked (sa_mask full), so handlers never nest.
absl::Status SetSignalAction(int signal, void (*handler)(int), int flags);

// Restores the default action of `signal`.
absl::Status SetDefaultAction(int signal);

class SignalEvents {
 public:
  using Set = std::bitset<65>;

  // Installs the handler for `signals` and returns the process's one instance.
  // SA_RESTART is set: a blocking syscall that a signal interrupts resumes on its own; the main
  // loop learns of the signal from the self-pipe, which wakes poll (poll itself is never
  // restarted and is wrapped in RetryOnEintr). Call once, before any fork.
  static absl::StatusOr<SignalEvents*> Install(std::initializer_list<int> signals);

  // Readable whenever a signal has come that Take() has not reported yet.
  int wake_fd() const { return read_fd_; }

  // Drains the pipe and returns the signals seen since the last call.
  Set Take();

  // fork(2) for a program with handlers installed. The child starts with the default actions
  // and without the pipe, so it neither writes into its parent's pipe nor keeps the parent's
  // handlers. Signals stay blocked across the fork until that is done: a SIGTERM sent to a
  // brand-new child is then delivered with its default action, never swallowed by the
  // parent's handler. Returns fork's result (-1 with errno set on failure).
  pid_t Fork();

 private:
  SignalEvents(int read_fd, int write_fd) : read_fd_(read_fd), write_fd_(write_fd) {}
  void ResetInChild();

  int read_fd_;
  int write_fd_;
  Set installed_;
};

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_SIGNAL_EVENTS_H_

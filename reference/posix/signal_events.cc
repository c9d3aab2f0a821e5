// signal_events.cc
#include "reference/posix/signal_events.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "reference/posix/io.h"

namespace netref::posix {
namespace {

constexpr int kMaxSignal = 64;
volatile sig_atomic_t g_pending[kMaxSignal + 1];
volatile sig_atomic_t g_wake_write_fd = -1;

// Async-signal-safe: saves errno (write may change it under the interrupted code's feet), sets a
// flag, writes one byte. A full pipe (EAGAIN) already holds a wake-up, so losing the byte is fine.
void OnSignal(int signal) {
  const int saved_errno = errno;
  if (signal > 0 && signal <= kMaxSignal) g_pending[signal] = 1;
  const char byte = 0;
  if (g_wake_write_fd >= 0) {
    [[maybe_unused]] ssize_t ignored = ::write(g_wake_write_fd, &byte, 1);
  }
  errno = saved_errno;
}

}  // namespace

void IgnoreSigpipe() { ::signal(SIGPIPE, SIG_IGN); }

absl::Status SetSignalAction(int signal, void (*handler)(int), int flags) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigfillset(&action.sa_mask);
  action.sa_flags = flags;
  if (::sigaction(signal, &action, nullptr) != 0) return ErrnoError(errno, "sigaction");
  return absl::OkStatus();
}

absl::Status SetDefaultAction(int signal) { return SetSignalAction(signal, SIG_DFL, 0); }

absl::StatusOr<SignalEvents*> SignalEvents::Install(std::initializer_list<int> signals) {
  static SignalEvents* instance = nullptr;
  if (instance == nullptr) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return ErrnoError(errno, "pipe2");
    instance = new SignalEvents(fds[0], fds[1]);
    g_wake_write_fd = fds[1];
  }
  for (int signal : signals) {
    // SA_RESTART: see the header. SA_NOCLDSTOP on SIGCHLD: a stopped child is not an exit.
    const int flags = SA_RESTART | (signal == SIGCHLD ? SA_NOCLDSTOP : 0);
    if (absl::Status status = SetSignalAction(signal, OnSignal, flags); !status.ok()) {
      return status;
    }
    instance->installed_.set(static_cast<std::size_t>(signal));
  }
  return instance;
}

SignalEvents::Set SignalEvents::Take() {
  // Drain first, then read the flags: a signal landing in between leaves a byte in the pipe
  // and so wakes the next poll (at worst once for nothing); none is lost.
  char buffer[64];
  while (::read(read_fd_, buffer, sizeof buffer) > 0) {
  }
  Set seen;
  for (int signal = 1; signal <= kMaxSignal; ++signal) {
    if (g_pending[signal] != 0) {
      g_pending[signal] = 0;
      seen.set(static_cast<std::size_t>(signal));
    }
  }
  return seen;
}

pid_t SignalEvents::Fork() {
  sigset_t all, previous;
  sigfillset(&all);
  ::sigprocmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::fork();
  const int fork_errno = errno;
  if (pid == 0) ResetInChild();
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  errno = fork_errno;
  return pid;
}

void SignalEvents::ResetInChild() {
  for (int signal = 1; signal <= kMaxSignal; ++signal) {
    if (installed_.test(static_cast<std::size_t>(signal))) (void)SetDefaultAction(signal);
  }
  g_wake_write_fd = -1;
  ::close(read_fd_);
  ::close(write_fd_);
  read_fd_ = write_fd_ = -1;
}

}  // namespace netref::posix

// signal_bridge.cc
#include "reference/posix/signal_bridge.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "reference/posix/errno_status.h"
#include "reference/posix/signal_action.h"

namespace netref::posix {
namespace {

// Shared by the handler and the main loop. The atomics are lock-free, which is what makes them
// safe in a handler; the plain arrays are written before the handler is installed and only read
// by it (g_lives_left is the handler's own: handlers never nest, sa_mask is full).
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);
std::atomic<int> g_counts[kMaxSignal + 1];
std::atomic<bool> g_stop{false};
std::atomic<int> g_wake_fd{-1};
std::atomic<int> g_stop_fd{-1};
std::atomic<int> g_shutdown_on_stop_fd{-1};
SignalUse g_use[kMaxSignal + 1];
int g_lives_left[kMaxSignal + 1];

// Adds one to an eventfd. A full counter (2^64 - 2 pokes) would fail with EAGAIN, and would
// still be readable: nothing is lost.
void Poke(int fd) {
  if (fd < 0) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t ignored = ::write(fd, &one, sizeof one);
}

void OnSignal(int signal) {
  const int saved_errno = errno;  // write and sigaction may change it under the interrupted code.
  if (signal > 0 && signal <= kMaxSignal) {
    g_counts[signal].fetch_add(1, std::memory_order_relaxed);
    if (g_use[signal] == SignalUse::kStop) {
      g_stop.store(true, std::memory_order_relaxed);
      Poke(g_stop_fd.load(std::memory_order_relaxed));
      const int session = g_shutdown_on_stop_fd.load(std::memory_order_relaxed);
      if (session >= 0) ::shutdown(session, SHUT_RDWR);  // ShutDownOnStop.
    }
    if (g_lives_left[signal] > 0 && --g_lives_left[signal] == 0) {
      // S1: the last counted delivery puts the default back, here and now: a main loop that
      // is slow (or stuck on its console) cannot let the next one be caught.
      struct sigaction default_action {};
      default_action.sa_handler = SIG_DFL;
      ::sigaction(signal, &default_action, nullptr);
    }
  }
  Poke(g_wake_fd.load(std::memory_order_relaxed));
  errno = saved_errno;
}

// SA_RESTART, decided per use:
//   kStop    no SA_RESTART. A stop must be seen at once: a blocking call that it interrupts
//            returns EINTR instead of resuming in the kernel. (RetryOnEintr then calls it
//            again; what must really give up waits on the stop fd.)
//   kNotice  SA_RESTART, and SA_NOCLDSTOP for SIGCHLD: a child's exit concerns the main loop
//            only, which the wake fd tells; a storm of them must not make every blocking call
//            return EINTR. A stopped child is not an exit.
//   kCount   SA_RESTART: a counted signal (S1) interrupts nothing that the program waits for.
int FlagsFor(const SignalSpec& spec) {
  switch (spec.use) {
    case SignalUse::kStop:
      return 0;
    case SignalUse::kNotice:
      return SA_RESTART | (spec.signal == SIGCHLD ? SA_NOCLDSTOP : 0);
    case SignalUse::kCount:
      return SA_RESTART;
  }
  // Unreachable: the switch names every SignalUse (gcc's -Wreturn-type wants a return anyway).
  return SA_RESTART;  // GCOVR_EXCL_LINE
}

}  // namespace

bool SignalCounts::any() const {
  for (int count : counts_) {
    if (count != 0) return true;
  }
  return false;
}

absl::StatusOr<SignalBridge*> SignalBridge::Install(std::initializer_list<SignalSpec> specs) {
  static SignalBridge* instance = nullptr;
  if (instance == nullptr) {
    const int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake < 0) return ErrnoError(errno, "eventfd");
    const int stop = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (stop < 0) {
      ::close(wake);
      return ErrnoError(errno, "eventfd");
    }
    instance = new SignalBridge(wake, stop);
    g_wake_fd.store(wake);
    g_stop_fd.store(stop);
  }
  for (const SignalSpec& spec : specs) {
    if (spec.signal <= 0 || spec.signal > kMaxSignal) {
      return absl::InvalidArgumentError("no such signal: " + std::to_string(spec.signal));
    }
    g_use[spec.signal] = spec.use;
    g_lives_left[spec.signal] = spec.default_after;
    if (absl::Status status = SetSignalAction(spec.signal, OnSignal, FlagsFor(spec));
        !status.ok()) {
      return status;
    }
    instance->installed_.set(static_cast<std::size_t>(spec.signal));
  }
  return instance;
}

bool SignalBridge::stop_requested() const { return g_stop.load(std::memory_order_relaxed); }

SignalCounts SignalBridge::Take() {
  // Drain first, then read the counts: a signal landing in between is counted now and pokes
  // the fd again, which wakes the next wait once for nothing; none is lost.
  std::uint64_t drained = 0;
  [[maybe_unused]] const ssize_t ignored = ::read(wake_fd_, &drained, sizeof drained);
  SignalCounts counts;
  for (int signal = 1; signal <= kMaxSignal; ++signal) {
    if (!installed_.test(static_cast<std::size_t>(signal))) continue;
    const int n = g_counts[signal].exchange(0, std::memory_order_relaxed);
    counts.counts_[static_cast<std::size_t>(signal)] = n;
    if (n > 0 && g_use[signal] == SignalUse::kStop) counts.stop_ = true;
  }
  return counts;
}

void SignalBridge::ShutDownOnStop(int fd) {
  g_shutdown_on_stop_fd.store(fd);
  // A stop that came before the store found no fd to shut: shut it here.
  if (fd >= 0 && g_stop.load()) ::shutdown(fd, SHUT_RDWR);
}

void SignalBridge::ResetInChild() {
  for (int signal = 1; signal <= kMaxSignal; ++signal) {
    if (!installed_.test(static_cast<std::size_t>(signal))) continue;
    (void)SetDefaultAction(signal);
    g_counts[signal].store(0);
    g_lives_left[signal] = 0;
  }
  installed_.reset();
  g_stop.store(false);
  g_shutdown_on_stop_fd.store(-1);
  g_wake_fd.store(-1);
  g_stop_fd.store(-1);
  ::close(wake_fd_);
  ::close(stop_fd_);
  wake_fd_ = stop_fd_ = -1;
}

}  // namespace netref::posix

// console.cc
#include "reference/posix/console.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string>

#include "reference/core/console_lines.h"
#include "reference/posix/fd_io.h"
#include "reference/posix/signal_action.h"

namespace netref::posix {
namespace {

static_assert(core::kMaxConsoleLine + 1 == PIPE_BUF,
              "a console line and its newline must be exactly one atomic pipe write");

enum Stream : std::size_t { kStdout = 0, kStderr = 1 };

// One copy for the program and every process it forks (a MAP_SHARED page): a child's dropped
// lines count in its parent's report, and a console found stuck by one process is known stuck
// by all.
struct Shared {
  std::atomic<std::uint64_t> dropped[2];
  std::atomic<bool> congested[2];
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

// Where one stream's lines go.
struct Sink {
  int fd = -1;              // -1: the stream is closed; every line is dropped.
  bool is_socket = false;   // send(MSG_DONTWAIT): a socket needs no description of its own.
  bool poll_first = false;  // A terminal that could not be reopened: poll before each write.
};

// Stdout lines held until the program waits (Console::HoldUntilWait): whole lines, at most one
// atomic write's worth.
struct Held {
  bool enabled = false;
  char bytes[PIPE_BUF];
  std::size_t size = 0;
  std::uint64_t lines = 0;  // The lines in `bytes`: what a dropped write costs the count.
};

struct State {
  std::string program_name = "netref";
  Sink sinks[2] = {{STDOUT_FILENO}, {STDERR_FILENO}};
  Shared* shared = nullptr;
  int stop_fd = -1;
  pid_t owner = 0;
  Held held;
};

State& TheState() {
  static State* state = new State;  // Never destroyed: the report runs from an exit handler.
  return *state;
}

// The console's own non-blocking way to write to `fd`.
Sink OpenSink(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return Sink{-1};
  if (S_ISSOCK(info.st_mode)) return Sink{fd, /*is_socket=*/true};
  if (S_ISFIFO(info.st_mode) || S_ISCHR(info.st_mode)) {
    // A pipe or a terminal: /proc/self/fd/N opens the same pipe or terminal anew, as a
    // description of our own that may be non-blocking.
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    const int own = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (own >= 0) return Sink{own};
    // No /proc, or a pipe of another user's. A pipe's write end is shared at most with the
    // program that made it, which does not write to it: make it non-blocking. A terminal is
    // the shell's: leave it alone and poll before each write (another writer may still win
    // the room between the poll and the write).
    if (S_ISFIFO(info.st_mode) && SetNonBlocking(fd, true).ok()) return Sink{fd};
    // A poll that says POLLOUT promises room for some bytes, not for the line: a write to the
    // terminal still blocks once it is nearly full. A timer bounds that write (WriteOnce), and
    // its signal must interrupt it: a handler that does nothing, without SA_RESTART.
    if (!SetSignalAction(SIGALRM, [](int) {}, /*flags=*/0).ok()) return Sink{-1};
    return Sink{fd, false, /*poll_first=*/true};
  }
  return Sink{fd};  // A regular file: a write there waits for no reader.
}

// Waits until `sink` takes a write, `give_up_at` passes or the stop fd is readable; true when
// there is room. Another signal (a SIGCHLD) does not end the wait.
bool WaitForRoom(const Sink& sink, int stop_fd, std::chrono::steady_clock::time_point give_up_at) {
  while (true) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(give_up_at - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd fds[2] = {{sink.fd, POLLOUT, 0}, {stop_fd, POLLIN, 0}};
    const int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // Timed out.
    if (stop_fd >= 0 && (fds[1].revents & POLLIN) != 0) return false;
    return (fds[0].revents & POLLOUT) != 0;
  }
}

// A blocking write to a shared terminal, bounded by `give_up_at`: an interval timer's SIGALRM
// interrupts it (EINTR, or the count written so far), and an interrupted write is reported as
// EAGAIN, so the caller's wait for room decides (time left, a stop, or the line dropped).
ssize_t WriteBounded(int fd, std::string_view bytes,
                     std::chrono::steady_clock::time_point give_up_at) {
  const auto left =
      std::chrono::ceil<std::chrono::microseconds>(give_up_at - std::chrono::steady_clock::now());
  if (left.count() <= 0) {
    errno = EAGAIN;
    return -1;
  }
  itimerval timer{};
  timer.it_value.tv_sec = static_cast<time_t>(left.count() / 1000000);
  timer.it_value.tv_usec = static_cast<suseconds_t>(left.count() % 1000000);
  (void)::setitimer(ITIMER_REAL, &timer, nullptr);
  const ssize_t n = ::write(fd, bytes.data(), bytes.size());
  const int err = errno;
  const itimerval off{};
  (void)::setitimer(ITIMER_REAL, &off, nullptr);
  errno = (n < 0 && err == EINTR) ? EAGAIN : err;
  return n;
}

template <typename Deadline>
ssize_t WriteOnce(const Sink& sink, std::string_view bytes, const Deadline& give_up_at) {
  if (sink.is_socket) {
    return ::send(sink.fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  if (sink.poll_first) {
    pollfd entry{sink.fd, POLLOUT, 0};
    if (::poll(&entry, 1, 0) != 1) {
      errno = EAGAIN;
      return -1;
    }
    return WriteBounded(sink.fd, bytes, give_up_at());
  }
  return ::write(sink.fd, bytes.data(), bytes.size());
}

void Drop(State& state, Stream stream, std::uint64_t lines) {
  state.shared->dropped[stream].fetch_add(lines, std::memory_order_relaxed);
}

// Writes `record` (`lines` whole lines, at most PIPE_BUF bytes) in one write, or drops it (see
// the header for when).
void WriteRecord(Stream stream, std::string_view record, std::uint64_t lines) {
  State& state = TheState();
  const Sink& sink = state.sinks[stream];
  if (state.shared == nullptr) {  // Before Open: plainly, blocking.
    (void)WriteAll(sink.fd, record);
    return;
  }
  if (sink.fd < 0) return Drop(state, stream, lines);
  std::atomic<bool>& congested = state.shared->congested[stream];
  // The grace starts with the first write that finds the console full: a line that goes out at
  // once (nearly all of them) never asks the clock.
  std::optional<std::chrono::steady_clock::time_point> give_up_at;
  const auto deadline = [&give_up_at] {
    if (!give_up_at) give_up_at = std::chrono::steady_clock::now() + kConsoleGrace;
    return *give_up_at;
  };
  std::string_view rest = record;
  while (true) {
    const ssize_t n = WriteOnce(sink, rest, deadline);
    if (n >= 0) {
      rest.remove_prefix(static_cast<std::size_t>(n));  // A terminal may take part of it.
      if (!rest.empty()) continue;
      if (congested.load(std::memory_order_relaxed)) congested.store(false);
      return;
    }
    if (errno == EINTR) continue;
    // EPIPE (nobody will ever read it), EBADF, ...: the lines are lost; the program goes on.
    if (errno != EAGAIN && errno != EWOULDBLOCK) return Drop(state, stream, lines);
    if (congested.load(std::memory_order_relaxed)) return Drop(state, stream, lines);
    if (!WaitForRoom(sink, state.stop_fd, deadline())) {
      // Full for longer than the grace (or a stop came): the console is stuck.
      congested.store(true);
      return Drop(state, stream, lines);
    }
  }
}

// Writes the held stdout lines, if any, in one record.
void FlushHeld() {
  Held& held = TheState().held;
  if (held.size == 0) return;
  WriteRecord(kStdout, std::string_view(held.bytes, held.size), held.lines);
  held.size = 0;
  held.lines = 0;
}

// `prefix` + `line` and its newline, cut to one atomic write (core::FitConsoleLine): held with
// the stdout lines that wait for the program's next wait, or written now.
void WriteLine(Stream stream, std::string_view prefix, std::string_view line) {
  State& state = TheState();
  char record[PIPE_BUF];  // No allocation for a line that fits, as nearly all do.
  std::size_t size = 0;
  if (prefix.size() + line.size() <= core::kMaxConsoleLine) {
    std::memcpy(record, prefix.data(), prefix.size());
    std::memcpy(record + prefix.size(), line.data(), line.size());
    size = prefix.size() + line.size();
  } else {
    const std::string cut = core::FitConsoleLine(std::string(prefix).append(line), " [cut]");
    std::memcpy(record, cut.data(), cut.size());
    size = cut.size();
  }
  record[size++] = '\n';
  Held& held = state.held;
  if (stream == kStdout && held.enabled && state.shared != nullptr) {
    if (held.size + size > sizeof held.bytes) FlushHeld();
    std::memcpy(held.bytes + held.size, record, size);
    held.size += size;
    ++held.lines;
    return;
  }
  // On a terminal both streams meet: a diagnostic comes after the lines printed before it.
  if (stream == kStderr) FlushHeld();
  WriteRecord(stream, std::string_view(record, size), 1);
}

void ReportDrops() {
  State& state = TheState();
  FlushHeld();  // The lines of the program's last moments, before they are counted.
  if (::getpid() != state.owner) return;  // Only the program itself reports, not a child.
  const std::uint64_t out = state.shared->dropped[kStdout].load();
  if (out > 0) {
    WriteLine(kStderr, state.program_name + ": ",
              "console: " + std::to_string(out) + " lines dropped: stdout was not read in time");
  }
  const std::uint64_t err = state.shared->dropped[kStderr].load();
  if (err > 0) {
    WriteLine(kStderr, state.program_name + ": ",
              "console: " + std::to_string(err) + " lines dropped: stderr was not read in time");
  }
}

}  // namespace

void Console::Open(std::string_view argv0) {
  State& state = TheState();
  const std::size_t slash = argv0.rfind('/');
  state.program_name =
      std::string(slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1));
  if (state.shared != nullptr) return;
  void* page =
      ::mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  // Without a shared page (no memory), each process keeps its own count: children's drops are
  // then missing from the report, and nothing else changes.
  state.shared = new (page != MAP_FAILED ? page : ::operator new(sizeof(Shared))) Shared();
  state.sinks[kStdout] = OpenSink(STDOUT_FILENO);
  state.sinks[kStderr] = OpenSink(STDERR_FILENO);
  state.owner = ::getpid();
  std::atexit(ReportDrops);
}

void Console::GiveUpOn(int stop_fd) { TheState().stop_fd = stop_fd; }

void Console::HoldUntilWait() { TheState().held.enabled = true; }

void Console::Flush() { FlushHeld(); }

void Console::Line(std::string_view line) const { WriteLine(kStdout, "", line); }

void Console::Detail(std::string_view line) const {
  if (!quiet_) WriteLine(kStdout, "", line);
}

void Console::Error(std::string_view message) {
  WriteLine(kStderr, TheState().program_name + ": ", message);
}

std::uint64_t Console::dropped_stdout() {
  const Shared* shared = TheState().shared;
  return shared == nullptr ? 0 : shared->dropped[kStdout].load();
}

std::uint64_t Console::dropped_stderr() {
  const Shared* shared = TheState().shared;
  return shared == nullptr ? 0 : shared->dropped[kStderr].load();
}

}  // namespace netref::posix

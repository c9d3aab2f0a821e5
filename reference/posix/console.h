// console.h: where the programs' console lines go, and what happens when nobody reads them
// (G3, G5). The one home of console writes.
//
// A line and its newline go out whole, in one write(2) of at most PIPE_BUF bytes
// (core::FitConsoleLine cuts longer ones), so the lines of a fork server's processes never
// interleave in a pipe.
//
// A server may hold its stdout lines until it waits (HoldUntilWait): they are written together,
// whole lines in writes of at most PIPE_BUF bytes, by Flush, which every wait of a server calls
// first (ServerLoop::Turn before epoll_wait or a pre-forked worker's blocking accept,
// StopAccepting before the shutdown's grace, an echo session before each read or write of its
// client, ForkChild before fork, a child before _exit, and the exit handler). So a line is on
// the console before the program waits for anything, and never sits in a buffer that fork
// would copy or _exit lose; a server under churn pays one console write per wait instead of
// two per client (the iterative server: disconnect and next connect in one). A diagnostic on
// stderr flushes the held lines first, so a terminal shows both streams in order.
//
// No write waits for long. Stdout and stderr are written through open file descriptions of the
// console's own, opened O_NONBLOCK (the flag lives in the description, which fd 1 shares with
// the shell or whatever started the program: setting it there would hand them EAGAIN). When the
// console is full a line waits up to kConsoleGrace for room, and no longer than a stop signal
// (the bridge's stop fd): a stuck console never holds up a SIGTERM or an echo. A line that
// cannot be written in time is dropped and counted; once one has been dropped, later lines do
// not wait at all until one gets through again. The count and that "congested" state are shared
// by the program and every child it forks, and the count is reported on stderr at exit.
// A terminal that cannot be reopened (another user's) is shared with the shell and stays
// blocking: each write there is bounded by an interval timer (SIGALRM, a handler that does
// nothing), so a nearly full terminal can cost a line its tail, never the server its echo.
// Deviation: the lecture's printf blocks on a full console, and its server with it.
#ifndef NETREF_REFERENCE_POSIX_CONSOLE_H_
#define NETREF_REFERENCE_POSIX_CONSOLE_H_

#include <chrono>
#include <cstdint>
#include <string_view>

namespace netref::posix {

// How long one line may wait for a full console while lines still get through.
inline constexpr std::chrono::milliseconds kConsoleGrace{50};

class Console {
 public:
  // Once, first thing in main, before any fork: names the program for Error's prefix, opens the
  // console's own descriptions of stdout and stderr, the shared drop count, and the report at
  // exit. (Before Open, lines are written plainly, as a test binary that links this does.)
  static void Open(std::string_view argv0);
  // A line waiting for room gives up at once when `stop_fd` is readable (SignalBridge::stop_fd).
  static void GiveUpOn(int stop_fd);
  // From now on stdout lines wait for the next Flush (see above). Only for a program whose
  // every wait flushes first: the four TCP servers.
  static void HoldUntilWait();
  // Writes the held lines, if any. Before any call that may block, fork or _exit.
  static void Flush();

  explicit Console(bool quiet) : quiet_(quiet) {}

  // A line always printed: start, listening, connect, disconnect.
  void Line(std::string_view line) const;
  // G3: a per-message line, silenced by --quiet.
  void Detail(std::string_view line) const;
  // A diagnostic or an event on stderr, prefixed with the program's name; never silenced.
  static void Error(std::string_view message);

  // Lines dropped so far on stdout (and on stderr), by this program and its children.
  static std::uint64_t dropped_stdout();
  static std::uint64_t dropped_stderr();

 private:
  bool quiet_;
};

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_CONSOLE_H_

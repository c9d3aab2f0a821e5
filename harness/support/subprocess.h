// subprocess.h: run a real program as a child of the test, talk to it through pipes, and end
// it by pid.
//
// The test process stays single-threaded: the child is started with posix_spawn (fork+exec),
// its stdout and stderr are read with poll and a deadline, and its end is awaited through a
// pidfd. A Subprocess destroyed while its child still runs SIGKILLs and reaps it, so a failing
// test leaves nothing behind. Only processes started here are ever signalled.
#ifndef NETREF_HARNESS_SUPPORT_SUBPROCESS_H_
#define NETREF_HARNESS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/support/deadline.h"
#include "reference/core/ipv4.h"
#include "reference/core/wait_status.h"

namespace netref::testing {

// The path of a netref program: $NETREF_BIN_DIR/NAME (ctest sets NETREF_BIN_DIR), else the
// bin dir of the build this test was built in. An absolute NAME is returned as it is.
std::string BinPath(std::string_view name);

struct SpawnOptions {
  bool pipe_stdin = false;  // Otherwise stdin is /dev/null.
  // >= 0: the child's stdout is this fd (the caller keeps its own copy), and the Subprocess
  // reads no stdout. A test gives a pipe it filled beforehand, to start a program whose
  // console is already stuck.
  int stdout_fd = -1;
  // The child leads a process group of its own, so kill(-pid, SIGINT) plays a terminal's Ctrl-C
  // to the program and every child it forked, and nothing else.
  bool new_process_group = false;
};

class Subprocess {
 public:
  // Starts argv[0] (a path) with argv. Aborts the test binary if the spawn itself fails.
  static Subprocess Start(const std::vector<std::string>& argv, SpawnOptions options = {});

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&&) = delete;
  Subprocess(const Subprocess&) = delete;
  ~Subprocess();

  pid_t pid() const { return pid_; }
  bool running() const { return !status_.has_value(); }

  // Stdin (with pipe_stdin). False if the child has closed its end.
  bool WriteStdin(std::string_view bytes);
  void CloseStdin();

  // The next stdout line, without its newline; nullopt at EOF or when the deadline passes.
  std::optional<std::string> ReadLine(const Deadline& deadline);
  // Reads lines until one satisfies `match` (returned) or EOF/deadline (nullopt).
  std::optional<std::string> WaitForLine(const std::function<bool(const std::string&)>& match,
                                         const Deadline& deadline);
  std::optional<std::string> WaitForLineStartingWith(std::string_view prefix,
                                                     const Deadline& deadline);
  // Exactly `n` more stdout bytes (raw, newlines included), or nullopt.
  std::optional<std::string> ReadStdoutBytes(std::size_t n, const Deadline& deadline);
  // Everything until stdout's EOF (or the deadline); includes any unread buffered bytes.
  std::string ReadStdoutToEof(const Deadline& deadline);

  // All stdout lines read so far through ReadLine/WaitForLine, and all stderr collected so far.
  const std::vector<std::string>& lines() const { return lines_; }
  std::string stderr_text();

  // kill(pid, signal) while the child is unreaped.
  void Signal(int signal);

  // From now on stdout is never read (not by ReadLine, PumpNow nor Wait), and stays open: a
  // program that writes to it fills the pipe and then finds its console stuck (G5).
  void FreezeStdout() { stdout_frozen_ = true; }
  // True when the child's stdout pipe has no free page left: a write end opened on it through
  // /proc polls not writable. A short write may still fit in the last page (up to 4096 bytes
  // more), so a test that needs the child blocked writes more than that after this holds.
  bool StdoutPipeFull() const;

  // Waits for the child to end; nullopt if the deadline passes first.
  std::optional<core::WaitStatus> Wait(const Deadline& deadline);

  // Moves what stdout and stderr hold right now into the buffers, without waiting, so a chatty
  // child never blocks on a full pipe (the benchmark calls it between bursts of load).
  // False when stdout is at EOF and nothing is buffered.
  bool PumpNow() { return Pump(0); }
  // As PumpNow, and then forgets every stdout byte read so far: a load generator draining a
  // server's console lines, which it must not spend its CPU splitting and keeping.
  void DiscardStdoutNow() {
    Pump(0);
    stdout_buffer_.clear();
  }

 private:
  Subprocess() = default;
  // Polls stdout and stderr once, up to `timeout_ms`, moving what arrives into the buffers.
  // Returns false when stdout is at EOF and nothing is buffered.
  bool Pump(int timeout_ms);

  pid_t pid_ = -1;
  int pidfd_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stdout_buffer_;
  std::string stderr_buffer_;
  std::vector<std::string> lines_;
  std::optional<core::WaitStatus> status_;
  bool stdout_frozen_ = false;
};

// A program run to its end: how it ended (nullopt if it outlived the deadline and was killed),
// and everything it printed.
struct Finished {
  std::optional<core::WaitStatus> status;
  std::string out;
  std::string err;
};
// Runs `argv` with stdin on /dev/null until it exits or `deadline` passes.
Finished RunToEnd(const std::vector<std::string>& argv, const Deadline& deadline);

// Starts the netref server program `name` as `name 0 --bind 127.0.0.1 EXTRA...` and waits for
// its G2 line `listening on ADDR:PORT`. endpoint.port is the port it printed, or 0 if it never
// printed one (callers assert on that).
struct StartedServer {
  Subprocess process;
  core::Endpoint endpoint;  // 127.0.0.1 and the printed port.
};
StartedServer StartServer(std::string_view name, const std::vector<std::string>& extra = {});

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_SUBPROCESS_H_

// traced_program.h: a netref program run under strace, so that a test can make one of its
// system calls fail (`-e inject=SYSCALL:error=ERRNO:when=N`) where no real condition can.
//
// The program is strace's only child; its stdout and stderr come through the tracer's pipes,
// so the tracer's Subprocess reads its lines. Killing strace would only detach it and leave the
// program running: a TracedProgram destroyed while the program lives SIGKILLs the program (strace
// then exits, and the tracer's Subprocess reaps it). Must not: signal any other process.
#ifndef NETREF_HARNESS_SUPPORT_TRACED_PROGRAM_H_
#define NETREF_HARNESS_SUPPORT_TRACED_PROGRAM_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/subprocess.h"
#include "reference/core/ipv4.h"
#include "reference/core/wait_status.h"

namespace netref::testing {

// True when /usr/bin/strace is there to run (tests skip otherwise).
bool StraceAvailable();

struct TracedProgram {
  TracedProgram(Subprocess traced_by, pid_t pid) : tracer(std::move(traced_by)), program(pid) {}
  TracedProgram(TracedProgram&& other) noexcept;
  TracedProgram(const TracedProgram&) = delete;
  ~TracedProgram();

  Subprocess tracer;   // strace itself: the program's console, and its end (strace exits alike).
  pid_t program = -1;  // The traced program; -1 if it never started, or ended before seen.
  core::Endpoint endpoint{core::kLoopbackAddress, 0};  // A server's G2 port; 0 otherwise.
};

// Runs `strace -f -qq -o /dev/null STRACE_OPTIONS... PROGRAM ARGS...` (PROGRAM by BinPath) and
// finds the program's pid. `strace_options` name the traced calls and the faults
// ({"-e", "trace=epoll_ctl", "-e", "inject=epoll_ctl:error=ENOMEM:when=3"}).
TracedProgram StartTraced(const std::vector<std::string>& strace_options, std::string_view program,
                          const std::vector<std::string>& args, SpawnOptions options = {});

// A server under strace, as StartServer starts one (`NAME 0 --bind 127.0.0.1 EXTRA...`), once it
// printed `listening on`; endpoint.port stays 0 if it never did.
TracedProgram StartTracedServer(const std::vector<std::string>& strace_options,
                                std::string_view name, const std::vector<std::string>& extra = {});

// The lines of a log that a test's own `-o PATH` made strace write (empty if there is none).
std::vector<std::string> ReadStraceLog(const std::string& path);

// SIGTERM to the program, then its end as strace reports it (strace exits as the program did);
// nullopt if it is still running when `deadline` passes.
std::optional<core::WaitStatus> StopTraced(TracedProgram& traced, const Deadline& deadline);

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_TRACED_PROGRAM_H_

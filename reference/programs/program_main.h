// program_main.h: what every program's main does at its edges, in one place.
//
// G1: arguments are parsed by the pure core; a bad one prints the reason and the lecture's
// usage line to stderr and exits 2. A runtime failure prints "PROG: op ADDR: reason" and exits 1.
// Only main turns a status into text and an exit code.
#ifndef NETREF_REFERENCE_PROGRAMS_PROGRAM_MAIN_H_
#define NETREF_REFERENCE_PROGRAMS_PROGRAM_MAIN_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reference/core/args.h"
#include "reference/posix/acceptor.h"
#include "reference/posix/console.h"

namespace netref::programs {

inline constexpr int kExitUsage = 2;    // G1
inline constexpr int kExitFailure = 1;  // A runtime error (bind, connect, …).

// Parses argv for `program`, or exits: 2 with the usage on stderr for a bad command line,
// 0 with the usage on stdout for --help. Also names the program for Console::Error.
core::ProgramConfig ParseArgsOrExit(core::Program program, int argc, char** argv);

// Prints `status` as "PROG: message" on stderr and returns kExitFailure.
int Fail(const absl::Status& status);

// The start of every TCP server: listen on config.endpoint with `backlog`, print
// `listening on ADDR:PORT` with the real port (G2), and return the acceptor.
absl::StatusOr<posix::Acceptor> ListenAndAnnounce(const core::ProgramConfig& config, int backlog,
                                                  const posix::Console& console);

}  // namespace netref::programs

#endif  // NETREF_REFERENCE_PROGRAMS_PROGRAM_MAIN_H_

// program_main.h: what every program's main does at its edges, in one place.
//
// G1: arguments are parsed by the pure core; a bad one prints the reason and the lecture's
// usage line to stderr and exits 2. A runtime failure prints "PROG: op ADDR: reason" and exits 1.
// Only main turns a status into text and an exit code.
#ifndef NETREF_REFERENCE_PROGRAMS_PROGRAM_MAIN_H_
#define NETREF_REFERENCE_PROGRAMS_PROGRAM_MAIN_H_

#include <initializer_list>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reference/core/args.h"
#include "reference/posix/acceptor.h"
#include "reference/posix/console.h"
#include "reference/posix/signal_bridge.h"

namespace netref::programs {

inline constexpr int kExitUsage = 2;    // G1
inline constexpr int kExitFailure = 1;  // A runtime error (bind, connect, …).

// Parses argv for `program`, or exits: 2 with the usage on stderr for a bad command line,
// 0 with the usage on stdout for --help. Opens the console first (posix::Console::Open).
core::ProgramConfig ParseArgsOrExit(core::Program program, int argc, char** argv);

// Installs the signal bridge for `signals` and lets the console give up waiting on a stop.
absl::StatusOr<posix::SignalBridge*> InstallSignals(
    std::initializer_list<posix::SignalSpec> signals);

// Prints `status` as "PROG: message" on stderr and returns kExitFailure.
int Fail(const absl::Status& status);

// The start of every TCP server: a listening socket on config.endpoint with `backlog`, and the
// address it is bound to (the real port after port 0).
struct Listening {
  posix::Acceptor acceptor;
  core::Endpoint bound;
};
absl::StatusOr<Listening> Listen(const core::ProgramConfig& config, int backlog,
                                 posix::ClientSockets clients,
                                 posix::ListenerWaits waits = posix::ListenerWaits::kInEpoll);

// G2: `listening on ADDR:PORT`, printed once the server is ready to serve (its loop exists), so
// whoever reads it may connect, count the server's fds or limit them at once.
void Announce(const core::Endpoint& bound, const posix::Console& console);

}  // namespace netref::programs

#endif  // NETREF_REFERENCE_PROGRAMS_PROGRAM_MAIN_H_

// args.h: command-line parsing for every netref program, as one pure function.
//
// G1: each program takes the lecture's positional arguments; a missing or bad one is an error
// with a one-line reason, which the program's main prints with the lecture's usage line before
// exiting 2. Nothing is accepted silently: "abc", "70000", "-1", "12x", "+80", " 80" are all
// errors. Parsing is pure (no getopt, no globals) so the fuzzer and the properties drive it.
// Must not: print, exit, or read the environment.
#ifndef NETREF_REFERENCE_CORE_ARGS_H_
#define NETREF_REFERENCE_CORE_ARGS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reference/core/ipv4.h"
#include "reference/core/result.h"

namespace netref::core {

// Which lecture program (or netref reference design) a command line is for.
enum class Program {
  kIterativeEchoServer,  // tcpfirstsrv.c: PORT
  kForkEchoServer,       // multiProcessTcpServer.c: PORT [--max-children N]
  kPreforkEchoServer,    // reference design (B1): PORT [--workers N]
  kEpollEchoServer,      // reference design (B1): PORT
  kTestClient,           // tcptestclnt.c: IP PORT
  kChatServer,           // ChatServer.c: PORT [--max-clients N] [--leave-on-end]
  kChatClient,           // ChatClient.c: IP PORT
  kLivesDemo,            // signalbasic.c: no arguments
  kIgnoreDemo,           // signalsecond.c: [--interval-ms N]
  kForkDemo,             // the fork section: no arguments
};

// What a command line asks for. Fields a program does not take keep their defaults.
struct ProgramConfig {
  // Servers: the address and port to bind (--bind, default 0.0.0.0). Clients: the server.
  Endpoint endpoint{kAnyAddress, 0};
  bool quiet = false;         // G3: --quiet silences per-message console lines.
  bool help = false;          // --help: print the usage to stdout and exit 0.
  int max_children = 0;       // B2: 0 = no cap.
  int max_clients = 10;       // C2: MAX_CLIENT.
  bool leave_on_end = false;  // C5 extension.
  int workers = 4;            // B1 pre-forked pool size.
  int interval_ms = 1000;     // S2: the countdown's tick (tests shorten it).
};

// The usage line(s) for `program` run as `argv0`: the lecture's wording first, then the options.
std::string UsageText(Program program, std::string_view argv0);

// A port: a non-empty string of decimal digits with value 0..65535 (0 = the kernel picks).
Result<std::uint16_t> ParsePort(std::string_view text);

// A whole number of decimal digits in [min, max], for option `name`.
Result<int> ParseBoundedInt(std::string_view name, std::string_view text, int min, int max);

// Parses `args` (without argv[0]) for `program`. Options may appear anywhere, as `--opt VALUE`
// or `--opt=VALUE`; `--` ends the options.
Result<ProgramConfig> ParseArgs(Program program, const std::vector<std::string_view>& args);

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_ARGS_H_

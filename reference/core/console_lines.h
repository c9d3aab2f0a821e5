// console_lines.h: the lecture's console lines, word for word (G2, G3, T1, T3).
//
// Every line a program prints is made here or by the core component that decides it, so tests
// and properties can assert the exact text. Must not: print.
#ifndef NETREF_REFERENCE_CORE_CONSOLE_LINES_H_
#define NETREF_REFERENCE_CORE_CONSOLE_LINES_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "reference/core/ipv4.h"

namespace netref::core {

// G3: a console line and its newline go out in one write(2) of at most PIPE_BUF (4096) bytes,
// which a pipe keeps whole even when several processes write to it at once (a fork server's
// children share its stdout). posix/console.cc checks that this is its system's PIPE_BUF - 1.
inline constexpr std::size_t kMaxConsoleLine = 4095;

// `line` if it fits in kMaxConsoleLine bytes; otherwise its start, cut so that `marker` still
// fits after it, then `marker` (" [cut: 8191 bytes read]"), so a reader sees the line was cut.
// Deviation: the lecture prints a whole 8191-byte read on one line, which a pipe may split.
std::string FitConsoleLine(std::string line, std::string_view marker);

// T1, T3: printed once before the server sets up its socket.
inline std::string ServerStartLine() { return "Server start..."; }

// G2: printed once after bind, with the port the kernel gave (so port 0 is usable).
inline std::string ListeningLine(const Endpoint& bound) {
  return "listening on " + FormatEndpoint(bound);
}

// T1, T3: `client %s:%d is connected...` after each accept.
inline std::string ConnectedLine(const Endpoint& peer) {
  return "client " + FormatEndpoint(peer) + " is connected...";
}

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_CONSOLE_LINES_H_

// console_lines.h: the lecture's console lines, word for word (G2, G3, T1, T3).
//
// Every line a program prints is made here or by the core component that decides it, so tests
// and properties can assert the exact text. Must not: print.
#ifndef NETREF_REFERENCE_CORE_CONSOLE_LINES_H_
#define NETREF_REFERENCE_CORE_CONSOLE_LINES_H_

#include <string>

#include "reference/core/ipv4.h"

namespace netref::core {

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

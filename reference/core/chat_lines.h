// chat_lines.h: the chat server's console lines, word for word (C3, C6).
//
// Must not: print (the POSIX layer does, on stdout for C3 and on stderr for C6).
#ifndef NETREF_REFERENCE_CORE_CHAT_LINES_H_
#define NETREF_REFERENCE_CORE_CHAT_LINES_H_

#include <cstddef>
#include <string>

#include "reference/core/ipv4.h"

namespace netref::core {

// C3: the lecture's printf("nClient: %d \n", nClient), without the newline (the console adds
// it). The space before the newline is the lecture's and is kept: "nClient: 3 ".
inline std::string ClientCountLine(std::size_t count) {
  return "nClient: " + std::to_string(count) + " ";
}

// C6: the line for a datagram the kernel cut to `kept` bytes (the buffer), e.g.
// "datagram from 127.0.0.1:5000 truncated to 8191 bytes". The lecture has no such line: its
// recvfrom truncates silently. netref reports it, so that a cut message is never silent.
inline std::string TruncationLine(const Endpoint& sender, std::size_t kept) {
  return "datagram from " + FormatEndpoint(sender) + " truncated to " + std::to_string(kept) +
         " bytes";
}

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_CHAT_LINES_H_

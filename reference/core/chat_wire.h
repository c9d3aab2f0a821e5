// chat_wire.h: what the chat programs put on the wire besides the users' bytes (C4, C5).
//
// The relay's prefix datagram, exactly `"%s: %d>> "` with inet_ntoa's address and the decimal
// port ("127.0.0.1: 5000>> "), its strict inverse, and the END payload that ends a chat client
// (and, with --leave-on-end, makes the server forget its sender). Must not: do I/O.
#ifndef NETREF_REFERENCE_CORE_CHAT_WIRE_H_
#define NETREF_REFERENCE_CORE_CHAT_WIRE_H_

#include <string>
#include <string_view>

#include "reference/core/ipv4.h"
#include "reference/core/result.h"

namespace netref::core {

// C7, C5: the client sends stdin lines newline included, so END arrives as exactly "END\n"
// (not "END", not "END\r\n").
inline constexpr std::string_view kChatEndPayload = "END\n";

// C4: `"%s: %d>> "` with inet_ntoa's address and the decimal port, e.g. "127.0.0.1: 5000>> ".
std::string FormatChatPrefix(const Endpoint& sender);

// The inverse of FormatChatPrefix: exactly that form (strict address, port 0..65535), or an error.
Result<Endpoint> ParseChatPrefix(std::string_view text);

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_CHAT_WIRE_H_

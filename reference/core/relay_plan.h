// relay_plan.h: what the chat server does with one datagram (C2-C6), as a pure plan.
//
// Given a datagram and its sender, ChatRelay returns the exact datagrams to send, to whom, in
// which order, and the console lines; the POSIX layer sends them on one UDP socket and has no
// logic of its own. Deterministic, so properties and fuzzers drive it with no socket.
// Must not: do I/O.
//
// NOTE (interface fixed by the foundation; the chat issue implements it in relay_plan.cc and
// added kMaxDatagram, kChatEndPayload, ClientCountLine, TruncationLine and RelayPlan::left).
#ifndef NETREF_REFERENCE_CORE_RELAY_PLAN_H_
#define NETREF_REFERENCE_CORE_RELAY_PLAN_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "reference/core/chat_client_list.h"
#include "reference/core/ipv4.h"
#include "reference/core/result.h"

namespace netref::core {

// G4, C1: the lecture's recvfrom(mySock, buff, BUFSIZ-1, …): a datagram is read into at most
// 8191 bytes (the same BUFSIZ-1 as the echo servers' kMaxRead).
inline constexpr std::size_t kMaxDatagram = 8191;

// C5 extension: the payload that, with --leave-on-end, makes its sender leave. The chat client
// sends stdin lines newline included, so this is exactly "END\n" (not "END", not "END\r\n").
inline constexpr std::string_view kChatEndPayload = "END\n";

// C4: `"%s: %d>> "` with inet_ntoa's address and the decimal port, e.g. "127.0.0.1: 5000>> ".
std::string FormatChatPrefix(const Endpoint& sender);

// C3: the lecture's printf("nClient: %d \n", nClient), without the newline (Console adds it).
// The space before the newline is the lecture's and is kept: "nClient: 3 ".
std::string ClientCountLine(std::size_t count);

// C6: the line for a datagram the kernel cut to `kept` bytes (the buffer), e.g.
// "datagram from 127.0.0.1:5000 truncated to 8191 bytes". The lecture has no such line: its
// recvfrom truncates silently. netref logs it, so that a cut message is never silent.
std::string TruncationLine(const Endpoint& sender, std::size_t kept);

// The inverse of FormatChatPrefix: exactly that form (strict address, port 0..65535), or an error.
Result<Endpoint> ParseChatPrefix(std::string_view text);

struct OutgoingDatagram {
  Endpoint to;
  std::string bytes;
};

// The plan for one datagram. Either dropped (and then empty), or:
//   console_lines  the C6 truncation line if the datagram was cut, then `nClient: N` (C3);
//                  both are per-message lines, which --quiet silences (G3);
//   sends          for each listed client but the sender, in list order, the prefix datagram
//                  then the payload datagram (C4); empty if the sender is alone;
//   left           with --leave-on-end and payload "END\n": the sender was removed after the
//                  relay (C5 extension); the `nClient` line still counts it, as it is printed
//                  at the lecture's place, before the relay.
struct RelayPlan {
  bool dropped = false;                    // C2: new sender, full list: nothing sent or logged.
  std::vector<OutgoingDatagram> sends;     // C4: per recipient in list order: prefix, payload.
  std::vector<std::string> console_lines;  // C3: `nClient: N`; C6: the truncation line.
  bool left = false;                       // C5 extension: the sender left after this datagram.
};

class ChatRelay {
 public:
  ChatRelay(std::size_t capacity, bool leave_on_end);

  // One received datagram. `truncated` is true when the kernel cut it to the buffer (C6).
  // `payload` is relayed whole whatever its size: the caller's buffer bounds it (kMaxDatagram).
  // C5 extension order: with leave_on_end, "END\n" is relayed to the others first, then its
  // sender is removed (the others learn that it left; a later datagram from it is new again).
  RelayPlan OnDatagram(const Endpoint& sender, std::string_view payload, bool truncated);

  const ChatClientList& clients() const { return clients_; }

 private:
  ChatClientList clients_;
  bool leave_on_end_;
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_RELAY_PLAN_H_

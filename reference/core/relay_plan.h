// relay_plan.h: what the chat server does with one datagram (C2-C6), as a pure plan.
//
// Given a datagram and its sender, ChatRelay returns the exact datagrams to send, to whom, in
// which order, and the console lines; the POSIX layer sends them on one UDP socket and has no
// logic of its own. Deterministic, so properties and fuzzers drive it with no socket.
// Must not: do I/O.
// The wire format of the prefix is chat_wire.h's, the console lines' wording chat_lines.h's.
#ifndef NETREF_REFERENCE_CORE_RELAY_PLAN_H_
#define NETREF_REFERENCE_CORE_RELAY_PLAN_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "reference/core/chat_client_list.h"
#include "reference/core/ipv4.h"

namespace netref::core {

struct OutgoingDatagram {
  Endpoint to;
  std::string bytes;
};

// The plan for one datagram. Either dropped (and then empty), or:
//   events         the C6 truncation line if the datagram was cut: an event the operator must
//                  see, printed on stderr whatever --quiet says;
//   console_lines  `nClient: N` (C3), a per-message line, which --quiet silences (G3);
//   sends          for each listed client but the sender, in list order, the prefix datagram
//                  then the payload datagram (C4); empty if the sender is alone;
//   left           with --leave-on-end and payload "END\n": the sender was removed after the
//                  relay (C5 extension); the `nClient` line still counts it, as it is printed
//                  at the lecture's place, before the relay.
struct RelayPlan {
  bool dropped = false;                    // C2: new sender, full list: nothing sent or logged.
  std::vector<OutgoingDatagram> sends;     // C4: per recipient in list order: prefix, payload.
  std::vector<std::string> events;         // C6: the truncation line (stderr, never silenced).
  std::vector<std::string> console_lines;  // C3: `nClient: N` (stdout, a per-message line).
  bool left = false;                       // C5 extension: the sender left after this datagram.
};

class ChatRelay {
 public:
  ChatRelay(std::size_t capacity, bool leave_on_end);

  // One received datagram. `truncated` is true when the kernel cut it to the buffer (C6).
  // `payload` is relayed whole whatever its size: the caller's buffer bounds it (kMaxRead).
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

// relay_plan.h: what the chat server does with one datagram (C2-C6), as a pure plan.
//
// Given a datagram and its sender, ChatRelay returns the exact datagrams to send, to whom, in
// which order, and the console lines; the POSIX layer sends them on one UDP socket and has no
// logic of its own. Deterministic, so properties and fuzzers drive it with no socket.
// Must not: do I/O.
//
// NOTE (interface fixed by the foundation; the chat issue implements it in relay_plan.cc).
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

// C4: `"%s: %d>> "` with inet_ntoa's address and the decimal port, e.g. "127.0.0.1: 5000>> ".
std::string FormatChatPrefix(const Endpoint& sender);

// The inverse of FormatChatPrefix: exactly that form (strict address, port 0..65535), or an error.
Result<Endpoint> ParseChatPrefix(std::string_view text);

struct OutgoingDatagram {
  Endpoint to;
  std::string bytes;
};

struct RelayPlan {
  bool dropped = false;                    // C2: new sender, full list: nothing sent or logged.
  std::vector<OutgoingDatagram> sends;     // C4: per recipient in list order: prefix, payload.
  std::vector<std::string> console_lines;  // C3: `nClient: N`; C6: the truncation line.
};

class ChatRelay {
 public:
  ChatRelay(std::size_t capacity, bool leave_on_end);

  // One received datagram. `truncated` is true when the kernel cut it to the buffer (C6).
  RelayPlan OnDatagram(const Endpoint& sender, std::string_view payload, bool truncated);

  const ChatClientList& clients() const { return clients_; }

 private:
  ChatClientList clients_;
  bool leave_on_end_;
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_RELAY_PLAN_H_

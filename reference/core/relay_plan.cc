// relay_plan.cc: the chat relay's plan for one datagram (C2-C6). Must not: do I/O.
#include "reference/core/relay_plan.h"

#include "reference/core/chat_lines.h"
#include "reference/core/chat_wire.h"

namespace netref::core {

ChatRelay::ChatRelay(std::size_t capacity, bool leave_on_end)
    : clients_(capacity), leave_on_end_(leave_on_end) {}

RelayPlan ChatRelay::OnDatagram(const Endpoint& sender, std::string_view payload, bool truncated) {
  RelayPlan plan;
  // C2: a new sender while the list is full is dropped: nothing relayed, nothing logged (not
  // even C6's line: the lecture `continue`s before any output).
  const std::optional<std::size_t> index = clients_.FindOrAdd(sender);
  if (!index) {
    plan.dropped = true;
    return plan;
  }
  // C6: the kernel cut the datagram; the operator is told, before the lecture's own line.
  if (truncated) plan.events.push_back(TruncationLine(sender, payload.size()));
  // C3: printed after the list is updated, before the relay, as the lecture does.
  plan.console_lines.push_back(ClientCountLine(clients_.size()));
  // C4: to everyone listed but the sender, in list order: the prefix, then the payload as is.
  const std::string prefix = FormatChatPrefix(sender);
  for (std::size_t i = 0; i < clients_.size(); ++i) {
#ifndef NETREF_PLANT_RELAY_TO_SENDER  // Test-only bug for `ci/fuzz --self-check` relays to all.
    if (i == *index) continue;  // The lecture's `if(i == res) continue;`: never to the sender.
#endif
    plan.sends.push_back({clients_.clients()[i], prefix});
    plan.sends.push_back({clients_.clients()[i], std::string(payload)});
  }
  // C5 extension: the others have been told (END was relayed above); now the sender leaves.
  if (leave_on_end_ && payload == kChatEndPayload) plan.left = clients_.Remove(sender);
  return plan;
}

}  // namespace netref::core

// relay_plan.cc: the chat relay's plan for one datagram (C2-C6). Must not: do I/O.
#include "reference/core/relay_plan.h"

namespace netref::core {

std::string FormatChatPrefix(const Endpoint& sender) {
  return FormatIpv4(sender.address) + ": " + std::to_string(sender.port) + ">> ";
}

Result<Endpoint> ParseChatPrefix(std::string_view text) {
  const Error bad{"bad chat prefix '" + std::string(text) + "': expected 'a.b.c.d: PORT>> '"};
  constexpr std::string_view kSeparator = ": ";
  constexpr std::string_view kEnd = ">> ";
  if (text.size() < kEnd.size() || text.substr(text.size() - kEnd.size()) != kEnd) return bad;
  const std::size_t separator = text.find(kSeparator);
  if (separator == std::string_view::npos) return bad;
  const Result<Ipv4Address> address = ParseIpv4(text.substr(0, separator));
  if (!address.ok()) return bad;
  const std::string_view port_text = text.substr(
      separator + kSeparator.size(), text.size() - kEnd.size() - separator - kSeparator.size());
  if (port_text.empty() || port_text.size() > 5) return bad;
  std::uint32_t port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return bad;
    port = port * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (port > 65535) return bad;
  const Endpoint endpoint{address.value(), static_cast<std::uint16_t>(port)};
  // Exactly the printed form: "%d" never writes leading zeros, and inet_ntoa never writes
  // "001"; anything that does not print back to itself is not a prefix the server sent.
  if (FormatChatPrefix(endpoint) != text) return bad;
  return endpoint;
}

std::string ClientCountLine(std::size_t count) {
  return "nClient: " + std::to_string(count) + " ";
}

std::string TruncationLine(const Endpoint& sender, std::size_t kept) {
  return "datagram from " + FormatEndpoint(sender) + " truncated to " + std::to_string(kept) +
         " bytes";
}

ChatRelay::ChatRelay(std::size_t capacity, bool leave_on_end)
    : clients_(capacity), leave_on_end_(leave_on_end) {}

RelayPlan ChatRelay::OnDatagram(const Endpoint& sender, std::string_view payload,
                                bool truncated) {
  RelayPlan plan;
  // C2: a new sender while the list is full is dropped: nothing relayed, nothing logged (not
  // even C6's line: the lecture `continue`s before any output).
  const std::optional<std::size_t> index = clients_.FindOrAdd(sender);
  if (!index) {
    plan.dropped = true;
    return plan;
  }
  // C6: the kernel cut the datagram; say so before the lecture's own line.
  if (truncated) plan.console_lines.push_back(TruncationLine(sender, payload.size()));
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

// chat_wire.cc: the chat prefix, printed and parsed. Must not: do I/O.
#include "reference/core/chat_wire.h"

#include <cstdint>

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

}  // namespace netref::core

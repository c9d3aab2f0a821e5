// ipv4.cc: text forms of IPv4 addresses and endpoints.
#include "reference/core/ipv4.h"

namespace netref::core {

std::string FormatIpv4(Ipv4Address address) {
  std::string text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    if (shift != 24) text += '.';
    text += std::to_string((address.value >> shift) & 0xffu);
  }
  return text;
}

std::string FormatEndpoint(const Endpoint& endpoint) {
  return FormatIpv4(endpoint.address) + ":" + std::to_string(endpoint.port);
}

Result<Ipv4Address> ParseIpv4(std::string_view text) {
  const Error bad{"bad IPv4 address '" + std::string(text) +
                  "': expected four numbers 0..255 joined by '.'"};
  std::uint32_t value = 0;
  std::size_t pos = 0;
  for (int part_index = 0; part_index < 4; ++part_index) {
    if (part_index > 0) {
      if (pos >= text.size() || text[pos] != '.') return bad;
      ++pos;
    }
    std::size_t digits = 0;
    std::uint32_t part = 0;
    const std::size_t start = pos;
    // At most 4 digits are consumed so that "0001" is caught as too long, not read as 1.
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 4) {
      part = part * 10 + static_cast<std::uint32_t>(text[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || digits > 3 || part > 255) return bad;
    // A leading zero is refused: inet_addr reads "010" as octal 8, so it has no one meaning.
    if (digits > 1 && text[start] == '0') return bad;
    value = (value << 8) | part;
  }
  if (pos != text.size()) return bad;
  return Ipv4Address{value};
}

}  // namespace netref::core

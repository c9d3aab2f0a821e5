// ipv4.h: IPv4 addresses and endpoints as plain values, with strict text forms.
//
// The lecture identifies every peer by (IPv4 address, port) and prints addresses the way
// inet_ntoa does. Formatting and parsing live here, free of syscalls, so properties and fuzzers
// can drive them. Must not: include POSIX headers or call inet_* functions.
#ifndef NETREF_REFERENCE_CORE_IPV4_H_
#define NETREF_REFERENCE_CORE_IPV4_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "reference/core/result.h"

namespace netref::core {

// An IPv4 address in host byte order (127.0.0.1 is 0x7f000001).
struct Ipv4Address {
  std::uint32_t value = 0;
  friend bool operator==(Ipv4Address a, Ipv4Address b) { return a.value == b.value; }
  friend bool operator!=(Ipv4Address a, Ipv4Address b) { return !(a == b); }
};

// A transport endpoint: address and port, both in host byte order.
struct Endpoint {
  Ipv4Address address;
  std::uint16_t port = 0;
  friend bool operator==(const Endpoint& a, const Endpoint& b) {
    return a.address == b.address && a.port == b.port;
  }
  friend bool operator!=(const Endpoint& a, const Endpoint& b) { return !(a == b); }
};

inline constexpr Ipv4Address kAnyAddress{0};                // INADDR_ANY, 0.0.0.0
inline constexpr Ipv4Address kLoopbackAddress{0x7f000001};  // 127.0.0.1

// "a.b.c.d", exactly as inet_ntoa prints it.
std::string FormatIpv4(Ipv4Address address);

// "a.b.c.d:port", as the lecture's `client %s:%d is connected...` line prints a peer.
std::string FormatEndpoint(const Endpoint& endpoint);

// Strict dotted-decimal: four parts of 1 to 3 decimal digits, each 0..255, no leading zeros
// (the one text form FormatIpv4 prints). Rejects what inet_addr would quietly accept or read
// differently (hex, octal such as "010", fewer parts, spaces, signs).
Result<Ipv4Address> ParseIpv4(std::string_view text);

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_IPV4_H_

// generators.h: rapidcheck generators shared by the property tests: bytes biased to the edges
// the lecture's programs get wrong (NUL, 0xFF, newlines, reads over the 8191-byte buffer), and
// the ways a stream can be cut into reads and writes; and how counterexamples print core values.
//
// Must not: hold state between test cases, or generate anything that depends on the clock.
#ifndef NETREF_HARNESS_PROPERTY_GENERATORS_H_
#define NETREF_HARNESS_PROPERTY_GENERATORS_H_

#include <rapidcheck.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "reference/core/ipv4.h"

namespace netref::core {

// How rapidcheck prints core values in a counterexample (found by argument-dependent lookup).
inline void showValue(Ipv4Address address, std::ostream& os) { os << FormatIpv4(address); }
inline void showValue(const Endpoint& endpoint, std::ostream& os) {
  os << FormatEndpoint(endpoint);
}

}  // namespace netref::core

namespace netref::property {

// One byte, biased to NUL (the lecture's strlen echo stops there), 0xFF (a char that is negative
// when signed) and '\n' (the test client's framing), with letters so that text cases occur too.
inline rc::Gen<char> EdgeByte() {
  return rc::gen::weightedOneOf<char>({
      {2, rc::gen::just('\0')},
      {2, rc::gen::just(static_cast<char>(0xff))},
      {1, rc::gen::just('\n')},
      {5, rc::gen::inRange('a', static_cast<char>('z' + 1))},
      {4, rc::gen::arbitrary<char>()},
  });
}

// `length` bytes from a small xorshift stream seeded by `seed`: every byte value occurs, NUL and
// 0xFF included. Used for long strings, whose shrinking then only has two numbers to shrink.
inline std::string PseudoRandomBytes(std::size_t length, std::uint32_t seed) {
  std::string bytes(length, '\0');
  std::uint32_t state = seed | 1u;
  for (char& byte : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<char>(state >> 24);
  }
  return bytes;
}

// Any byte string up to `max_length` bytes: often short and edge-heavy (shrinks byte by byte),
// sometimes plain text, sometimes long (several reads' worth), pseudo-random bytes of a generated length.
inline rc::Gen<std::string> ByteString(std::size_t max_length) {
  return rc::gen::weightedOneOf<std::string>({
      {3, rc::gen::container<std::string>(EdgeByte())},
      {1, rc::gen::container<std::string>(rc::gen::inRange(' ', '\x7f'))},
      {2, rc::gen::apply(&PseudoRandomBytes, rc::gen::inRange<std::size_t>(0, max_length + 1),
                         rc::gen::arbitrary<std::uint32_t>())},
  });
}

// A pattern of piece sizes, each in [1, max_piece], biased to 1 byte and to the largest piece.
// Applied cyclically by Cut, so a short pattern still cuts a long stream everywhere.
inline rc::Gen<std::vector<std::size_t>> PiecePattern(std::size_t max_piece) {
  return rc::gen::nonEmpty(rc::gen::container<std::vector<std::size_t>>(
      rc::gen::weightedOneOf<std::size_t>({
          {2, rc::gen::just<std::size_t>(1)},
          {2, rc::gen::just(max_piece)},
          {4, rc::gen::inRange<std::size_t>(1, max_piece + 1)},
      })));
}

// `bytes` cut into consecutive pieces whose sizes follow `pattern` cyclically (the last piece
// may be shorter). Joining the pieces gives `bytes` back; an empty input gives no pieces.
inline std::vector<std::string_view> Cut(std::string_view bytes,
                                         const std::vector<std::size_t>& pattern) {
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; !bytes.empty(); ++i) {
    const std::size_t size = std::min(pattern[i % pattern.size()], bytes.size());
    pieces.push_back(bytes.substr(0, size));
    bytes.remove_prefix(size);
  }
  return pieces;
}

}  // namespace netref::property

#endif  // NETREF_HARNESS_PROPERTY_GENERATORS_H_

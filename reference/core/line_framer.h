// line_framer.h: the test client's stdin framing (T5).
//
// The lecture's tcptestclnt.c reads stdin with fgets, skips a line shorter than 2 bytes with its
// newline, sends the line without its newline, and stops after sending END. TestClientFramer
// does that for any bytes, fed in any pieces: it holds the partial last line between Feed calls.
// Must not: do I/O.
#ifndef NETREF_REFERENCE_CORE_LINE_FRAMER_H_
#define NETREF_REFERENCE_CORE_LINE_FRAMER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace netref::core {

class TestClientFramer {
 public:
  // Takes stdin bytes; returns the messages to send, in order. After the END message, nothing
  // more is returned and ended() is true.
  // Deviations: the lecture's fgets(…, BUFSIZ-1) cuts a line over 8190 bytes into pieces and its
  // strlen cuts at a NUL byte; netref sends every line whole, NUL bytes included.
  std::vector<std::string> Feed(std::string_view bytes);

  // Stdin reached EOF. A last line with no newline counts as a line whose length is its bytes
  // alone: "ab" is sent as "ab", "a" is skipped. (The lecture drops its last byte.)
  std::vector<std::string> Finish();

  bool ended() const { return ended_; }

 private:
  // Applies the skip and END rules to one line, `with_newline` bytes long in total.
  void Take(std::string line, std::size_t with_newline, std::vector<std::string>& out);

  std::string partial_;
  bool ended_ = false;
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_LINE_FRAMER_H_

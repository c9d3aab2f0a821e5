// chat_input.h: the chat client's stdin framing (C7), as a pure function of the bytes.
//
// The lecture's ChatClient.c reads stdin with fgets(buff, BUFSIZ-1, stdin) and sends what each
// call returned, newline included, as one datagram, and stops after sending END. ChatInputFramer
// does that for any bytes fed in any pieces, holding a partial line between Feed calls.
// Must not: do I/O.
#ifndef NETREF_REFERENCE_CORE_CHAT_INPUT_H_
#define NETREF_REFERENCE_CORE_CHAT_INPUT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "reference/core/lecture_limits.h"

namespace netref::core {

// fgets(buff, BUFSIZ-1, …) returns at most BUFSIZ-2 = 8190 bytes: a longer line is sent as
// several datagrams of at most this size, each of which fits the server's 8191-byte buffer (G4),
// so a long line reaches the others whole, in pieces, rather than truncated (C6).
inline constexpr std::size_t kMaxChatPiece = kMaxFgetsLine;

class ChatInputFramer {
 public:
  // Takes stdin bytes; returns the datagrams to send, in order: each line with its newline
  // ("\n" alone for an empty line), a line over kMaxChatPiece bytes cut into pieces as fgets
  // does. After the datagram "END\n" nothing more is returned and ended() is true.
  // Deviation: the lecture's strlen cuts a datagram at its first NUL byte; netref sends every
  // byte of the line.
  std::vector<std::string> Feed(std::string_view bytes);

  // Stdin reached EOF: a last line with no newline is sent as it is (fgets returns it too);
  // then ended() is true. Nothing else is sent: C7 ends at EOF without sending END.
  // Deviation: the lecture's loop, at EOF, resends its buffer with one byte less each time,
  // prints `fgets: Success` and exits 1.
  std::vector<std::string> Finish();

  bool ended() const { return ended_; }

 private:
  std::string partial_;
  bool ended_ = false;
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_CHAT_INPUT_H_

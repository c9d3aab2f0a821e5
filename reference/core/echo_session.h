// echo_session.h: the echo protocol of both TCP servers (T2), as a pure state machine.
//
// Feed it what one read returned; it answers with the exact bytes to write back and the console
// line to print. The POSIX layer carries that out (reading at most kMaxRead bytes, completing
// short writes) and has no logic of its own. Must not: do I/O or look at the bytes' content
// beyond the console line.
#ifndef NETREF_REFERENCE_CORE_ECHO_SESSION_H_
#define NETREF_REFERENCE_CORE_ECHO_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reference/core/lecture_limits.h"

namespace netref::core {

// What to do after one read.
struct EchoStep {
  // Bytes to write back: always exactly the bytes read. A view of them, not a copy: valid as
  // long as the caller's read buffer is (a server writes it before reading again).
  std::string_view reply;
  std::string console_line;  // `Client(PORT): DATA`, a per-message line; empty when quiet.
};

class EchoSession {
 public:
  // G3: with `quiet` (--quiet), no per-message line is built: console_line stays empty.
  explicit EchoSession(std::uint16_t peer_port, bool quiet = false)
      : peer_port_(peer_port), quiet_(quiet) {}

  // T2: one read of `bytes` (1..kMaxRead bytes).
  // Deviation: the lecture writes back strlen(rBuff) bytes, so an echo stops at the first NUL
  // byte. netref writes back every byte read. The console line still shows the data as the
  // lecture's printf("%s") does, up to the first NUL: it is for people, the echo is for peers.
  EchoStep OnRead(std::string_view bytes);

  // T2: the peer closed its side; `Client(PORT): is disconnected`.
  std::string OnEof() const;

  std::uint64_t bytes_echoed() const { return bytes_echoed_; }

 private:
  std::uint16_t peer_port_;
  bool quiet_;
  std::uint64_t bytes_echoed_ = 0;
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_ECHO_SESSION_H_

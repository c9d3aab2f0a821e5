// datagram.h: one UDP datagram in, one out, with the sender's endpoint and the truncation flag.
//
// The chat server and client (C1, C4, C6, C7) receive and send whole datagrams here; EINTR is
// retried through RetryOnEintr (eintr.h) and errors name the operation and the peer
// ("sendto 127.0.0.1:5000: Connection refused"). Must not: decide what to send (the core does).
#ifndef NETREF_REFERENCE_POSIX_DATAGRAM_H_
#define NETREF_REFERENCE_POSIX_DATAGRAM_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reference/core/ipv4.h"

namespace netref::posix {

struct ReceivedDatagram {
  core::Endpoint sender;
  std::string bytes;       // At most the capacity asked for.
  bool truncated = false;  // C6: the datagram was longer and the kernel cut it (MSG_TRUNC).
};

// Receives one datagram into at most `capacity` bytes with recvmsg, which (unlike recvfrom)
// reports in msg_flags that the datagram did not fit. With `block` false it returns nullopt
// when nothing is waiting: poll may call a UDP socket readable for a datagram that the kernel
// then drops on a bad checksum, and a blocking receive would then hang the server's loop.
absl::StatusOr<std::optional<ReceivedDatagram>> ReceiveDatagram(int fd, std::size_t capacity,
                                                                bool block);

// Sends `bytes` (empty allowed: a zero-length datagram is a datagram) to `to` as one datagram.
// Blocking, as the lecture's sendto: UDP on Linux does not wait for the receiver, only for
// local buffer space.
absl::Status SendDatagram(int fd, const core::Endpoint& to, std::string_view bytes);

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_DATAGRAM_H_

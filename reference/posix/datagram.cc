// datagram.cc
#include "reference/posix/datagram.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"
#include "reference/posix/inet_socket.h"

namespace netref::posix {

absl::StatusOr<std::optional<ReceivedDatagram>> ReceiveDatagram(int fd, std::size_t capacity,
                                                                bool block) {
  ReceivedDatagram received;
  received.bytes.resize(capacity);
  sockaddr_in from{};
  iovec vector{received.bytes.data(), capacity};
  msghdr message{};
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = &vector;
  message.msg_iovlen = 1;
  const int flags = block ? 0 : MSG_DONTWAIT;
  const ssize_t n = RetryOnEintr([&] { return ::recvmsg(fd, &message, flags); });
  if (n < 0 && !block && (errno == EAGAIN || errno == EWOULDBLOCK)) return std::nullopt;
  if (n < 0) return ErrnoError(errno, "recvmsg");
  received.bytes.resize(static_cast<std::size_t>(n));
  // C6: recvfrom's return value alone cannot tell a datagram of exactly `capacity` bytes from a
  // longer one cut to fit; the MSG_TRUNC flag in msg_flags can.
  received.truncated = (message.msg_flags & MSG_TRUNC) != 0;
  received.sender = FromSockaddr(from);
  return received;
}

absl::Status SendDatagram(int fd, const core::Endpoint& to, std::string_view bytes) {
  const sockaddr_in address = ToSockaddr(to);
  // MSG_NOSIGNAL: no SIGPIPE can come from a datagram socket, but it costs nothing to be sure.
  const ssize_t n = RetryOnEintr([&] {
    return ::sendto(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL,
                    reinterpret_cast<const sockaddr*>(&address), sizeof address);
  });
  if (n < 0) return ErrnoError(errno, "sendto " + core::FormatEndpoint(to));
  // A datagram is sent whole or not at all; a short count would be a kernel bug, not a retry.
  if (static_cast<std::size_t>(n) != bytes.size()) {
    return absl::InternalError("sendto " + core::FormatEndpoint(to) + ": short datagram");
  }
  return absl::OkStatus();
}

}  // namespace netref::posix

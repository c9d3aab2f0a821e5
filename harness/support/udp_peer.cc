// udp_peer.cc
#include "harness/support/udp_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "reference/posix/inet_socket.h"

namespace netref::testing {

using posix::FromSockaddr;
using posix::ToSockaddr;

UdpPeer UdpPeer::MustBind() {
  std::optional<UdpPeer> peer = Bind();
  if (!peer) throw std::runtime_error(std::string("UDP bind failed: ") + std::strerror(errno));
  return std::move(*peer);
}

std::optional<UdpPeer> UdpPeer::Bind() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  const sockaddr_in address = ToSockaddr({core::kLoopbackAddress, 0});
  sockaddr_in bound{};
  socklen_t length = sizeof bound;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return std::nullopt;
  }
  return UdpPeer(fd, FromSockaddr(bound));
}

UdpPeer& UdpPeer::operator=(UdpPeer&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    local_ = other.local_;
    other.fd_ = -1;
  }
  return *this;
}

UdpPeer::~UdpPeer() {
  if (fd_ >= 0) ::close(fd_);
}

bool UdpPeer::SendTo(const core::Endpoint& to, std::string_view bytes) {
  const sockaddr_in address = ToSockaddr(to);
  ssize_t n;
  do {
    n = ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&address),
                 sizeof address);
  } while (n < 0 && errno == EINTR);
  return n >= 0 && static_cast<std::size_t>(n) == bytes.size();
}

std::optional<Datagram> UdpPeer::Receive(const Deadline& deadline, std::size_t capacity) {
  Datagram datagram;
  datagram.bytes.resize(capacity);
  while (true) {
    sockaddr_in from{};
    iovec vector{datagram.bytes.data(), capacity};
    msghdr message{};
    message.msg_name = &from;
    message.msg_namelen = sizeof from;
    message.msg_iov = &vector;
    message.msg_iovlen = 1;
    const ssize_t n = ::recvmsg(fd_, &message, 0);
    if (n >= 0) {
      datagram.bytes.resize(static_cast<std::size_t>(n));
      datagram.truncated = (message.msg_flags & MSG_TRUNC) != 0;
      datagram.from = FromSockaddr(from);
      return datagram;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return std::nullopt;
    if (deadline.expired()) return std::nullopt;
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, deadline.remaining_ms()) == 0) return std::nullopt;
  }
}

}  // namespace netref::testing

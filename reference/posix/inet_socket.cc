// inet_socket.cc
#include "reference/posix/inet_socket.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "reference/posix/errno_status.h"

namespace netref::posix {
namespace {

absl::Status AddressError(std::string_view op, const core::Endpoint& endpoint) {
  return ErrnoError(errno, std::string(op) + " " + core::FormatEndpoint(endpoint));
}

const sockaddr* AsSockaddr(const sockaddr_in& address) {
  return reinterpret_cast<const sockaddr*>(&address);
}

}  // namespace

sockaddr_in ToSockaddr(const core::Endpoint& endpoint) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(endpoint.address.value);
  address.sin_port = htons(endpoint.port);
  return address;
}

core::Endpoint FromSockaddr(const sockaddr_in& address) {
  return core::Endpoint{core::Ipv4Address{ntohl(address.sin_addr.s_addr)}, ntohs(address.sin_port)};
}

absl::StatusOr<UniqueFd> ListenTcp(const core::Endpoint& endpoint, int backlog) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!fd.valid()) return ErrnoError(errno, "socket");
  // A restarted server must not fail to bind because of its old connections in TIME_WAIT.
  const int on = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) {
    return ErrnoError(errno, "setsockopt SO_REUSEADDR");
  }
  const sockaddr_in address = ToSockaddr(endpoint);
  if (::bind(fd.get(), AsSockaddr(address), sizeof address) != 0) {
    return AddressError("bind", endpoint);
  }
  if (::listen(fd.get(), backlog) != 0) return AddressError("listen", endpoint);
  return fd;
}

absl::StatusOr<UniqueFd> BindUdp(const core::Endpoint& endpoint) {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!fd.valid()) return ErrnoError(errno, "socket");
  const sockaddr_in address = ToSockaddr(endpoint);
  if (::bind(fd.get(), AsSockaddr(address), sizeof address) != 0) {
    return AddressError("bind", endpoint);
  }
  return fd;
}

absl::StatusOr<UniqueFd> ConnectTcp(const core::Endpoint& endpoint) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP));
  if (!fd.valid()) return ErrnoError(errno, "socket");
  const sockaddr_in address = ToSockaddr(endpoint);
  // Not retried on EINTR: an interrupted connect goes on in the background and a second call
  // fails with EALREADY. The clients that connect install no handler that could interrupt it.
  if (::connect(fd.get(), AsSockaddr(address), sizeof address) != 0) {
    return AddressError("connect", endpoint);
  }
  return fd;
}

absl::StatusOr<core::Endpoint> LocalEndpoint(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return ErrnoError(errno, "getsockname");
  }
  return FromSockaddr(address);
}

}  // namespace netref::posix

// inet_socket.h: IPv4 sockets as UniqueFds, with errors that name the operation and the address.
//
// Every socket is SOCK_CLOEXEC: a program that execs (a test harness, a future CGI-style child)
// must not leak connections into it.
#ifndef NETREF_REFERENCE_POSIX_INET_SOCKET_H_
#define NETREF_REFERENCE_POSIX_INET_SOCKET_H_

#include <netinet/in.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reference/core/ipv4.h"
#include "reference/posix/unique_fd.h"

namespace netref::posix {

sockaddr_in ToSockaddr(const core::Endpoint& endpoint);
core::Endpoint FromSockaddr(const sockaddr_in& address);

// socket + SO_REUSEADDR + bind + listen. Errors read "bind 0.0.0.0:9877: Address already in use".
absl::StatusOr<UniqueFd> ListenTcp(const core::Endpoint& endpoint, int backlog);

// A UDP socket bound to `endpoint` (port 0: the kernel picks).
absl::StatusOr<UniqueFd> BindUdp(const core::Endpoint& endpoint);

// A connected, blocking TCP socket.
absl::StatusOr<UniqueFd> ConnectTcp(const core::Endpoint& endpoint);

// The address a socket is bound to (the real port after binding port 0).
absl::StatusOr<core::Endpoint> LocalEndpoint(int fd);

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_INET_SOCKET_H_

// tcp_peer.cc
#include "harness/support/tcp_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "reference/posix/inet_socket.h"

namespace netref::testing {

using posix::FromSockaddr;
using posix::ToSockaddr;

namespace {

bool WaitFor(int fd, short events, const Deadline& deadline) {
  while (true) {
    pollfd entry{fd, events, 0};
    const int n = ::poll(&entry, 1, deadline.remaining_ms());
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

}  // namespace

std::optional<TcpPeer> TcpPeer::Connect(const core::Endpoint& server, const Deadline& deadline) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  TcpPeer peer(fd);
  const sockaddr_in address = ToSockaddr(server);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    return peer;
  }
  if (errno != EINPROGRESS || !WaitFor(fd, POLLOUT, deadline)) return std::nullopt;
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    errno = error;
    return std::nullopt;
  }
  return peer;
}

TcpPeer& TcpPeer::operator=(TcpPeer&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

TcpPeer::~TcpPeer() { Close(); }

core::Endpoint TcpPeer::local() const {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
  return FromSockaddr(address);
}

bool TcpPeer::SendAll(std::string_view bytes, const Deadline& deadline) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      if (!WaitFor(fd_, POLLOUT, deadline)) return false;
    } else {
      return false;
    }
  }
  return true;
}

std::optional<std::string> TcpPeer::ReceiveExactly(std::size_t n, const Deadline& deadline) {
  std::string bytes;
  while (bytes.size() < n) {
    char chunk[65536];
    const std::size_t want = std::min(sizeof chunk, n - bytes.size());
    const ssize_t got = ::recv(fd_, chunk, want, 0);
    if (got > 0) {
      bytes.append(chunk, static_cast<std::size_t>(got));
    } else if (got == 0) {
      return std::nullopt;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN) {
      if (!WaitFor(fd_, POLLIN, deadline)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  return bytes;
}

std::optional<std::string> TcpPeer::ReceiveToEof(const Deadline& deadline) {
  std::string bytes;
  while (true) {
    char chunk[65536];
    const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got > 0) {
      bytes.append(chunk, static_cast<std::size_t>(got));
    } else if (got == 0) {
      return bytes;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN) {
      if (!WaitFor(fd_, POLLIN, deadline)) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
}

bool TcpPeer::Readable(const Deadline& deadline) const { return WaitFor(fd_, POLLIN, deadline); }

void TcpPeer::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

void TcpPeer::Reset() {
  const linger hard{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  Close();
}

void TcpPeer::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::optional<std::string> StreamEcho(TcpPeer& peer, std::string_view data, std::size_t chunk,
                                      const Deadline& deadline) {
  std::string echo;
  std::size_t sent = 0;
  while (echo.size() < data.size()) {
    pollfd entry{peer.fd(), static_cast<short>(POLLIN | (sent < data.size() ? POLLOUT : 0)), 0};
    const int n = ::poll(&entry, 1, deadline.remaining_ms());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if ((entry.revents & POLLOUT) != 0) {
      const std::size_t size = std::min(chunk, data.size() - sent);
      const ssize_t put = ::send(peer.fd(), data.data() + sent, size, MSG_NOSIGNAL);
      if (put > 0)
        sent += static_cast<std::size_t>(put);
      else if (put < 0 && errno != EAGAIN && errno != EINTR)
        return std::nullopt;
    }
    if ((entry.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char buffer[65536];
      const ssize_t got = ::recv(peer.fd(), buffer, sizeof buffer, 0);
      if (got == 0) return std::nullopt;
      if (got > 0)
        echo.append(buffer, static_cast<std::size_t>(got));
      else if (errno != EAGAIN && errno != EINTR)
        return std::nullopt;
    }
  }
  return echo;
}

std::optional<std::string> RoundTrip(TcpPeer& peer, std::string_view message,
                                     const Deadline& deadline) {
  if (!peer.SendAll(message, deadline)) return std::nullopt;
  return peer.ReceiveExactly(message.size(), deadline);
}

int RoundTrips(TcpPeer& peer, int n, const Deadline& deadline) {
  for (int i = 0; i < n; ++i) {
    const std::string message = "message " + std::to_string(i);
    if (RoundTrip(peer, message, deadline) != message) return i;
  }
  return n;
}

}  // namespace netref::testing

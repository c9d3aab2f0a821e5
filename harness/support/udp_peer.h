// udp_peer.h: a test's own UDP endpoint on 127.0.0.1, with a deadline on every wait.
//
// Datagram boundaries are kept: each Receive returns exactly one datagram, with its sender and
// whether it was longer than the buffer. Used to play chat clients against the real server.
// Must not: block without a deadline, or talk to anything but the endpoints a test names.
#ifndef NETREF_HARNESS_SUPPORT_UDP_PEER_H_
#define NETREF_HARNESS_SUPPORT_UDP_PEER_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "harness/support/deadline.h"
#include "reference/core/ipv4.h"

namespace netref::testing {

struct Datagram {
  core::Endpoint from;
  std::string bytes;
  bool truncated = false;  // Longer than the capacity given to Receive.
};

class UdpPeer {
 public:
  // A socket bound to 127.0.0.1:0; nullopt on failure (errno tells why).
  static std::optional<UdpPeer> Bind();
  // As Bind, for a test that cannot go on without it: a failure throws (gtest reports it as
  // the test's failure) instead of handing back an empty optional to dereference.
  static UdpPeer MustBind();

  UdpPeer(UdpPeer&& other) noexcept : fd_(other.fd_), local_(other.local_) { other.fd_ = -1; }
  UdpPeer& operator=(UdpPeer&& other) noexcept;
  UdpPeer(const UdpPeer&) = delete;
  ~UdpPeer();

  int fd() const { return fd_; }
  // The bound address and port: what the server sees as this peer's identity.
  const core::Endpoint& local() const { return local_; }

  // Sends `bytes` (empty allowed) as one datagram; false unless it was sent whole.
  bool SendTo(const core::Endpoint& to, std::string_view bytes);

  // The next datagram (at most `capacity` bytes of it), or nullopt when `deadline` passes.
  std::optional<Datagram> Receive(const Deadline& deadline, std::size_t capacity = 65536);

 private:
  UdpPeer(int fd, core::Endpoint local) : fd_(fd), local_(local) {}
  int fd_ = -1;
  core::Endpoint local_;
};

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_UDP_PEER_H_

// tcp_peer.h: a test's own TCP client, with a deadline on every wait.
//
// Blocking-free: the socket is non-blocking and every send and receive polls with the test's
// deadline, so a server that stops answering fails the test rather than hanging it.
#ifndef NETREF_HARNESS_SUPPORT_TCP_PEER_H_
#define NETREF_HARNESS_SUPPORT_TCP_PEER_H_

#include <optional>
#include <string>
#include <string_view>

#include "harness/support/deadline.h"
#include "reference/core/ipv4.h"

namespace netref::testing {

class TcpPeer {
 public:
  // Connects to `server`; nullopt on failure (errno tells why).
  static std::optional<TcpPeer> Connect(const core::Endpoint& server, const Deadline& deadline);

  TcpPeer(TcpPeer&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  TcpPeer& operator=(TcpPeer&& other) noexcept;
  TcpPeer(const TcpPeer&) = delete;
  ~TcpPeer();

  int fd() const { return fd_; }
  core::Endpoint local() const;

  // Sends every byte (in one or more sends); false on error or deadline.
  bool SendAll(std::string_view bytes, const Deadline& deadline);
  // Receives exactly `n` bytes; nullopt on EOF, error or deadline.
  std::optional<std::string> ReceiveExactly(std::size_t n, const Deadline& deadline);
  // Receives until EOF; nullopt on error or deadline.
  std::optional<std::string> ReceiveToEof(const Deadline& deadline);
  // True if at least one byte is available (or EOF) within `deadline`.
  bool Readable(const Deadline& deadline) const;

  void ShutdownWrite();
  // Closes with SO_LINGER 0: the server gets a reset (ECONNRESET), not an orderly FIN.
  void Reset();
  void Close();

 private:
  explicit TcpPeer(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Sends `data` while reading the echo back at the same time (so neither side's buffers fill
// up and deadlock a large transfer), `chunk` bytes per send; the whole echo, or nullopt.
std::optional<std::string> StreamEcho(TcpPeer& peer, std::string_view data, std::size_t chunk,
                                      const Deadline& deadline);

// Sends `message` and reads back as many bytes; the echo, or nullopt.
std::optional<std::string> RoundTrip(TcpPeer& peer, std::string_view message,
                                     const Deadline& deadline);

// Up to `n` round trips of `message 0`, `message 1`, ...: how many came back exact before the
// first that did not (or the deadline).
int RoundTrips(TcpPeer& peer, int n, const Deadline& deadline);

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_TCP_PEER_H_

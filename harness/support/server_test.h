// server_test.h: the gtest pieces every server test shares (header-only: the support library
// itself does not link gtest).
//   ServerTest   a fixture parameterised by a server program's name; SetUp starts it on
//                127.0.0.1 port 0 and fails the test if it never prints `listening on`.
//   MustConnect  a TcpPeer connected to a started server, or a test failure.
//   WaitsUnaccepted  a client's connection still waits in the listener's queue.
#ifndef NETREF_HARNESS_SUPPORT_SERVER_TEST_H_
#define NETREF_HARNESS_SUPPORT_SERVER_TEST_H_

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/socket_state.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"

namespace netref::testing {

inline TcpPeer MustConnect(const StartedServer& server) {
  std::optional<TcpPeer> peer =
      TcpPeer::Connect(server.endpoint, Deadline::In(std::chrono::seconds(5)));
  // A failed connect ends the test here: gtest reports the exception as the test's failure
  // (a function that returns a peer cannot ASSERT, and an empty optional must not be used).
  if (!peer) {
    throw std::runtime_error("connect to port " + std::to_string(server.endpoint.port) +
                             " failed");
  }
  return std::move(*peer);
}

// True while `peer`'s connection waits in the listener's queue: neither the server nor any
// process below it holds the accepted socket (/proc). This is the kernel's state, not a silence
// waited out: a slow but wrong server that accepted the client cannot pass it.
inline bool WaitsUnaccepted(const StartedServer& server, const TcpPeer& peer) {
  std::vector<pid_t> processes = DescendantsOf(server.process.pid());
  processes.push_back(server.process.pid());
  for (pid_t pid : processes) {
    if (ConnectionOf(pid, server.endpoint, peer.local())) return false;
  }
  return true;
}

// How many completed connections wait in the server's accept queue (ss), or -1 if unknown.
inline long AcceptQueueOf(const StartedServer& server) {
  const std::optional<ListenerQueue> queue = ListenerQueueOf(server.endpoint);
  return queue ? static_cast<long>(queue->waiting) : -1;
}

class ServerTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    server_.emplace(StartServer(GetParam()));
    ASSERT_NE(server_->endpoint.port, 0)
        << "no `listening on` line: " << server_->process.stderr_text();
  }
  StartedServer& server() { return *server_; }

 private:
  std::optional<StartedServer> server_;
};

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_SERVER_TEST_H_

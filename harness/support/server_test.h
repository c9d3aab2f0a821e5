// server_test.h: the gtest pieces every server test shares (header-only: the support library
// itself does not link gtest).
//   ServerTest   a fixture parameterised by a server program's name; SetUp starts it on
//                127.0.0.1 port 0 and fails the test if it never prints `listening on`.
//   MustConnect  a TcpPeer connected to a started server, or a test failure.
#ifndef NETREF_HARNESS_SUPPORT_SERVER_TEST_H_
#define NETREF_HARNESS_SUPPORT_SERVER_TEST_H_

#include <chrono>
#include <optional>

#include <gtest/gtest.h>

#include "harness/support/deadline.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"

namespace netref::testing {

inline TcpPeer MustConnect(const StartedServer& server) {
  std::optional<TcpPeer> peer =
      TcpPeer::Connect(server.endpoint, Deadline::In(std::chrono::seconds(5)));
  if (!peer) ADD_FAILURE() << "connect to port " << server.endpoint.port << " failed";
  return std::move(*peer);
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

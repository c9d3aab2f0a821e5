// passing_errors_test.cc: errors a server logs and survives (G5's accept policy; C1, C4 of the
// chat relay): an accept that fails for want of memory backs off and then serves the client
// that waited, a receive error that concerns one datagram is logged and the relay goes on, and
// a datagram the kernel sent short is reported, not taken for sent.
//
// None of these happens for a real reason on loopback, so each is injected with strace, once;
// the test then checks that the server said what happened and kept its promise to the clients.
// Must not: sleep to synchronise; every wait has a deadline.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <optional>
#include <string>

#include "harness/support/deadline.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/traced_program.h"
#include "harness/support/traced_test.h"
#include "harness/support/udp_peer.h"
#include "reference/core/chat_lines.h"
#include "reference/core/chat_wire.h"
#include "reference/core/ipv4.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

TEST(G5AcceptPolicy, AnAcceptWithoutMemoryBacksOffAndTheWaitingClientIsServed) {
  // Claim: when accept fails with ENOMEM (injected, the first accept only), the server logs
  // `accept: Cannot allocate memory: backing off`, stays up, and serves the client that waited
  // in the backlog once the back-off has passed.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  TracedProgram server = StartTracedServer(
      {"-e", "trace=accept4", "-e", "inject=accept4:error=ENOMEM:when=1"}, "tcp_echo_epoll");
  ASSERT_NE(server.endpoint.port, 0) << server.tracer.stderr_text();
  std::optional<TcpPeer> client = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(client.has_value());
  EXPECT_EQ(RoundTrip(*client, "waited", Deadline::In(seconds(10))),
            std::optional<std::string>("waited"))
      << "the client that waited through the back-off was not served";
  server.tracer.PumpNow();
  const std::string errors = server.tracer.stderr_text();
  EXPECT_NE(errors.find("tcp_echo_epoll: accept: Cannot allocate memory: backing off"),
            std::string::npos)
      << errors;
  ExpectStopsWithZero(server);
}

TEST(C1ReceiveErrors, APassingReceiveErrorIsLoggedAndTheDatagramStillRelayed) {
  // Claim: a receive error that concerns no broken socket (ENOMEM, injected once) is logged on
  // stderr, and the datagram that was waiting is still taken: the client joins (`nClient: 1`).
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  TracedProgram server = StartTracedServer(
      {"-e", "trace=recvmsg", "-e", "inject=recvmsg:error=ENOMEM:when=1"}, "udp_chat_server");
  ASSERT_NE(server.endpoint.port, 0) << server.tracer.stderr_text();
  UdpPeer client = UdpPeer::MustBind();
  ASSERT_TRUE(client.SendTo(server.endpoint, "join\n"));
  EXPECT_EQ(server.tracer.ReadLine(Deadline::In(seconds(5))).value_or("<none>"),
            core::ClientCountLine(1));
  server.tracer.PumpNow();
  const std::string errors = server.tracer.stderr_text();
  EXPECT_NE(errors.find("udp_chat_server: recvmsg: Cannot allocate memory"), std::string::npos)
      << errors;
  ExpectStopsWithZero(server);
}

TEST(C1ReceiveErrors, AReceiveErrorOfABrokenSocketEndsTheServerWithOne) {
  // Claim: a receive error that says the socket itself is unusable (EBADF, injected) ends the
  // server with exit 1 and the message, instead of a loop that logs it forever.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  TracedProgram server = StartTracedServer(
      {"-e", "trace=recvmsg", "-e", "inject=recvmsg:error=EBADF:when=1"}, "udp_chat_server");
  ASSERT_NE(server.endpoint.port, 0) << server.tracer.stderr_text();
  UdpPeer client = UdpPeer::MustBind();
  ASSERT_TRUE(client.SendTo(server.endpoint, "join\n"));
  std::optional<core::WaitStatus> status = server.tracer.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value()) << "the server outlived a broken socket";
  EXPECT_TRUE(status->ExitedWith(1)) << core::DescribeWaitStatus(*status);
  const std::string errors = server.tracer.stderr_text();
  EXPECT_NE(errors.find("udp_chat_server: recvmsg: Bad file descriptor"), std::string::npos)
      << errors;
}

TEST(C4SendErrors, ADatagramSentShortIsReportedAndTheRelayGoesOn) {
  // Claim: when the kernel reports a relayed datagram as sent short (sendto returns 1,
  // injected for the first send), the server says so naming the client, and relays the next
  // datagram whole.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  TracedProgram server = StartTracedServer(
      {"-e", "trace=sendto", "-e", "inject=sendto:retval=1:when=1"}, "udp_chat_server");
  ASSERT_NE(server.endpoint.port, 0) << server.tracer.stderr_text();
  UdpPeer a = UdpPeer::MustBind();
  UdpPeer b = UdpPeer::MustBind();
  ASSERT_TRUE(a.SendTo(server.endpoint, "join\n"));
  ASSERT_EQ(server.tracer.ReadLine(Deadline::In(seconds(5))).value_or("<none>"),
            core::ClientCountLine(1));
  // B's join goes to A in two datagrams, its prefix (the send made short) and its text.
  ASSERT_TRUE(b.SendTo(server.endpoint, "join\n"));
  std::optional<Datagram> text = a.Receive(Deadline::In(seconds(5)));
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->bytes, "join\n") << "the datagram after the short one was not relayed whole";
  server.tracer.PumpNow();
  const std::string errors = server.tracer.stderr_text();
  EXPECT_NE(errors.find("sendto " + core::FormatEndpoint(a.local()) + ": short datagram"),
            std::string::npos)
      << errors;
  ExpectStopsWithZero(server);
}

}  // namespace
}  // namespace netref::testing

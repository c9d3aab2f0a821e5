// chat_server_test.cc: the lecture's UDP chat relay (ChatServer.c), run as a real binary on
// 127.0.0.1 and played against with the test's own UDP sockets. Clauses: G1, G3, G5, C1-C6.
//
// Synchronisation: the server prints `nClient: N ` for each accepted datagram before relaying
// it, so a test waits for that line before its next step; the kernel keeps the datagrams one
// socket sends to another in order on loopback, so "the next datagram B receives" is exact.
// "Nothing came" is never a silence waited out (a slow but wrong server would pass): it is an
// empty receive queue, checked once a later datagram proves every earlier send done.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/udp_peer.h"
#include "reference/core/chat_lines.h"
#include "reference/core/chat_wire.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::unique_ptr<UdpPeer> MustBind() {
  std::optional<UdpPeer> peer = UdpPeer::Bind();
  if (!peer) ADD_FAILURE() << "bind 127.0.0.1:0 failed";
  return std::make_unique<UdpPeer>(std::move(*peer));
}

std::vector<std::unique_ptr<UdpPeer>> MustBindMany(int n) {
  std::vector<std::unique_ptr<UdpPeer>> peers;
  for (int i = 0; i < n; ++i) peers.push_back(MustBind());
  return peers;
}

// A running udp_chat_server with the console read line by line.
class ChatServer {
 public:
  explicit ChatServer(const std::vector<std::string>& extra = {})
      : server_(StartServer("udp_chat_server", extra)) {}

  bool started() const { return server_.endpoint.port != 0; }
  const core::Endpoint& endpoint() const { return server_.endpoint; }
  Subprocess& process() { return server_.process; }

  // The next console line, or "<none>".
  std::string NextLine() {
    return server_.process.ReadLine(Deadline::In(seconds(5))).value_or("<none>");
  }

  // `peer` sends `payload`; the server must answer with exactly `expected_lines` (C3, C6).
  void Send(UdpPeer& peer, const std::string& payload, const std::vector<std::string>& lines) {
    ASSERT_TRUE(peer.SendTo(endpoint(), payload));
    for (const std::string& line : lines) ASSERT_EQ(NextLine(), line);
  }

  // G5: SIGTERM, exit 0; returns the console lines printed since the last one read.
  std::vector<std::string> Stop() {
    server_.process.Signal(SIGTERM);
    std::optional<core::WaitStatus> status = server_.process.Wait(Deadline::In(seconds(10)));
    EXPECT_TRUE(status && status->ExitedWith(0)) << server_.process.stderr_text();
    std::vector<std::string> rest;
    while (std::optional<std::string> line = server_.process.ReadLine(Deadline::In(seconds(5)))) {
      rest.push_back(*line);
    }
    return rest;
  }

 private:
  StartedServer server_;
};

std::string Count(int n) { return core::ClientCountLine(static_cast<std::size_t>(n)); }

// C4: the next two datagrams `receiver` gets are from the server: `sender`'s prefix, then
// `payload` exactly.
void ExpectRelayed(UdpPeer& receiver, const ChatServer& server, const UdpPeer& sender,
                   const std::string& payload) {
  const Deadline deadline = Deadline::In(seconds(5));
  std::optional<Datagram> prefix = receiver.Receive(deadline);
  ASSERT_TRUE(prefix) << "no prefix datagram at port " << receiver.local().port;
  EXPECT_EQ(prefix->from, server.endpoint());
  EXPECT_EQ(prefix->bytes, core::FormatChatPrefix(sender.local()));
  std::optional<Datagram> body = receiver.Receive(deadline);
  ASSERT_TRUE(body) << "no payload datagram at port " << receiver.local().port;
  EXPECT_EQ(body->from, server.endpoint());
  EXPECT_EQ(body->bytes, payload);
  EXPECT_FALSE(body->truncated);
}

// Nothing is queued at `peer`, now: no waiting. Valid once a later datagram shows that the
// server has made every send it would make for the earlier ones: it handles one datagram at a
// time, in order, so once the last recipient of a later datagram has it, every earlier sendto
// has returned, and on loopback a sendto has queued its datagram at the receiver by then.
void ExpectEmptyNow(UdpPeer& peer) {
  std::optional<Datagram> stray = peer.Receive(Deadline::In(milliseconds(0)));
  EXPECT_FALSE(stray) << "port " << peer.local().port << " got '" << stray->bytes << "'";
}

// Every peer sends "join I" in turn; the list becomes peers in this order, and each earlier
// peer receives each later peer's join, which is checked and consumed here.
void JoinAll(ChatServer& server, std::vector<std::unique_ptr<UdpPeer>>& peers) {
  for (std::size_t i = 0; i < peers.size(); ++i) {
    const std::string join = "join " + std::to_string(i) + "\n";
    server.Send(*peers[i], join, {Count(static_cast<int>(i) + 1)});
    for (std::size_t j = 0; j < i; ++j) ExpectRelayed(*peers[j], server, *peers[i], join);
  }
}

TEST(C4Relay, ThreeClientsEachMessageReachesTheOtherTwoNeverTheSender) {
  // Claim: with three listed, each message reaches the two others as exactly two datagrams,
  // prefix `127.0.0.1: PORT>> ` then the payload, in list order, and never its sender; the
  // console counts `nClient: 1`, `2`, `3` as they join, then `3` for every message.
  ChatServer server;
  ASSERT_TRUE(server.started()) << server.process().stderr_text();
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(3);
  JoinAll(server, peers);
  for (int round = 0; round < 2; ++round) {
    for (std::size_t s = 0; s < 3; ++s) {
      const std::string payload = "message " + std::to_string(round) + std::to_string(s) + "\n";
      server.Send(*peers[s], payload, {Count(3)});
      for (std::size_t r = 0; r < 3; ++r) {
        if (r != s) ExpectRelayed(*peers[r], server, *peers[s], payload);
      }
    }
  }
  // A marker, relayed last: the next thing the others receive, and nothing for its sender. No
  // third datagram came for any message, no echo to a sender.
  server.Send(*peers[0], "marker\n", {Count(3)});
  ExpectRelayed(*peers[1], server, *peers[0], "marker\n");
  ExpectRelayed(*peers[2], server, *peers[0], "marker\n");
  for (auto& peer : peers) ExpectEmptyNow(*peer);
  EXPECT_EQ(server.Stop(), std::vector<std::string>{});
}

TEST(C4Relay, EmptyAndBinaryPayloadsArriveExactly) {
  // Claim: an empty datagram is relayed as an empty datagram; every byte value passes as is.
  ChatServer server;
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(2);
  JoinAll(server, peers);
  server.Send(*peers[0], "", {Count(2)});
  ExpectRelayed(*peers[1], server, *peers[0], "");
  std::string binary;
  for (int b = 0; b < 256; ++b) binary.push_back(static_cast<char>(b));
  server.Send(*peers[1], binary, {Count(2)});
  ExpectRelayed(*peers[0], server, *peers[1], binary);
}

TEST(C2ClientList, EleventhSenderReachesNoOneAndIsNotCounted) {
  // Claim: with 10 listed (MAX_CLIENT), an 11th sender's datagram is dropped: no one receives
  // it, no `nClient` line is printed for it, and it is not listed (it gets no relays either).
  ChatServer server;
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(10);
  std::unique_ptr<UdpPeer> intruder_owner = MustBind();
  UdpPeer& intruder = *intruder_owner;
  JoinAll(server, peers);
  ASSERT_TRUE(intruder.SendTo(server.endpoint(), "intruder\n"));
  // A marker from the first client: the next thing everyone sees and the next console line.
  server.Send(*peers[0], "marker\n", {Count(10)});
  for (std::size_t r = 1; r < peers.size(); ++r) {
    ExpectRelayed(*peers[r], server, *peers[0], "marker\n");
  }
  ExpectEmptyNow(intruder);
  for (auto& peer : peers) ExpectEmptyNow(*peer);
  EXPECT_EQ(server.Stop(), std::vector<std::string>{});  // No line for the intruder.
}

TEST(C2ClientList, MaxClientsTwoDropsTheThird) {
  // Claim: --max-clients 2: a third sender is dropped, and stays dropped on a second try.
  ChatServer server({"--max-clients", "2"});
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(3);
  std::unique_ptr<UdpPeer> third = std::move(peers.back());
  peers.pop_back();
  JoinAll(server, peers);
  ASSERT_TRUE(third->SendTo(server.endpoint(), "let me in\n"));
  ASSERT_TRUE(third->SendTo(server.endpoint(), "please\n"));
  server.Send(*peers[1], "marker\n", {Count(2)});
  ExpectRelayed(*peers[0], server, *peers[1], "marker\n");
  ExpectEmptyNow(*third);
  ExpectEmptyNow(*peers[0]);
  ExpectEmptyNow(*peers[1]);
  EXPECT_EQ(server.Stop(), std::vector<std::string>{});
}

TEST(C5LeaveOnEnd, EndIsRelayedThenItsSlotIsFreed) {
  // Claim: --leave-on-end with 2 slots: END\n from A reaches B (counted as `nClient: 2`), then A
  // is gone: a waiting third sender C is accepted, and A no longer receives relays.
  ChatServer server({"--max-clients", "2", "--leave-on-end"});
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(2);
  std::unique_ptr<UdpPeer> third = MustBind();
  JoinAll(server, peers);
  ASSERT_TRUE(third->SendTo(server.endpoint(), "full?\n"));  // Dropped: the list is full.
  server.Send(*peers[0], "END\n", {Count(2)});
  ExpectRelayed(*peers[1], server, *peers[0], "END\n");
  server.Send(*third, "my turn\n", {Count(2)});
  ExpectRelayed(*peers[1], server, *third, "my turn\n");
  // A marker from B reaches C next (no echo of C's message came first); A got nothing.
  server.Send(*peers[1], "marker\n", {Count(2)});
  ExpectRelayed(*third, server, *peers[1], "marker\n");
  ExpectEmptyNow(*peers[0]);
  ExpectEmptyNow(*peers[1]);
}

TEST(C5NoLeaving, WithoutTheFlagEndKeepsTheSlot) {
  // Claim: by default END\n is relayed like any message and its sender stays listed, so the
  // list stays full and a third sender is still dropped.
  ChatServer server({"--max-clients", "2"});
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(2);
  std::unique_ptr<UdpPeer> third = MustBind();
  JoinAll(server, peers);
  server.Send(*peers[0], "END\n", {Count(2)});
  ExpectRelayed(*peers[1], server, *peers[0], "END\n");
  ASSERT_TRUE(third->SendTo(server.endpoint(), "my turn\n"));
  server.Send(*peers[1], "still here\n", {Count(2)});
  ExpectRelayed(*peers[0], server, *peers[1], "still here\n");
  ExpectEmptyNow(*third);
  ExpectEmptyNow(*peers[1]);
}

TEST(C6Truncation, NineThousandBytesAreRelayedAs8191AndLogged) {
  // Claim: a 9000-byte datagram reaches the others as its first 8191 bytes, the server reports
  // the truncation on stderr (and still prints `nClient` on stdout); 8191 bytes exactly is not
  // a truncation.
  ChatServer server;
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(2);
  JoinAll(server, peers);
  std::string big(9000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  server.Send(*peers[0], big, {Count(2)});
  ExpectRelayed(*peers[1], server, *peers[0], big.substr(0, 8191));
  server.Send(*peers[0], big.substr(0, 8191), {Count(2)});
  ExpectRelayed(*peers[1], server, *peers[0], big.substr(0, 8191));
  EXPECT_EQ(server.Stop(), std::vector<std::string>{});
  const std::string line =
      "datagram from " + core::FormatEndpoint(peers[0]->local()) + " truncated to 8191 bytes";
  const std::string errors = server.process().stderr_text();
  ASSERT_NE(errors.find(line), std::string::npos) << errors;
  EXPECT_EQ(errors.find(line), errors.rfind(line)) << "one truncation, one line: " << errors;
}

TEST(C6Truncation, QuietStillReportsTheTruncationOnStderr) {
  // Claim: a truncation is an event for the operator, not a per-message line: under --quiet
  // the server still reports it, on stderr, naming the sender and the bytes kept.
  ChatServer server({"--quiet"});
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(2);
  ASSERT_TRUE(peers[0]->SendTo(server.endpoint(), "a\n"));
  ASSERT_TRUE(peers[1]->SendTo(server.endpoint(), "b\n"));
  ExpectRelayed(*peers[0], server, *peers[1], "b\n");  // Both are listed now.
  const std::string big(9000, 'q');
  ASSERT_TRUE(peers[0]->SendTo(server.endpoint(), big));
  ExpectRelayed(*peers[1], server, *peers[0], big.substr(0, 8191));
  EXPECT_EQ(server.Stop(), std::vector<std::string>{});
  const std::string errors = server.process().stderr_text();
  EXPECT_NE(errors.find("datagram from " + core::FormatEndpoint(peers[0]->local()) +
                        " truncated to 8191 bytes"),
            std::string::npos)
      << errors;
}

TEST(G3Quiet, QuietServerRelaysButPrintsNoCountLines) {
  // Claim: --quiet silences the per-message lines; the relay is unchanged.
  ChatServer server({"--quiet"});
  ASSERT_TRUE(server.started());
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(2);
  ASSERT_TRUE(peers[0]->SendTo(server.endpoint(), "a\n"));
  // No console line to wait for: the relay of B's message to A shows that A was listed.
  ASSERT_TRUE(peers[1]->SendTo(server.endpoint(), "b\n"));
  ExpectRelayed(*peers[0], server, *peers[1], "b\n");
  EXPECT_EQ(server.Stop(), std::vector<std::string>{});
}

TEST(G5Shutdown, SigtermAndSigintExitZero) {
  // Claim: both signals end the relay loop with exit status 0.
  for (int signal : {SIGTERM, SIGINT}) {
    ChatServer server;
    ASSERT_TRUE(server.started());
    std::unique_ptr<UdpPeer> peer = MustBind();
    server.Send(*peer, "hi\n", {Count(1)});
    server.process().Signal(signal);
    std::optional<core::WaitStatus> status = server.process().Wait(Deadline::In(seconds(10)));
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  }
}

TEST(C4SendErrors, AFailedSendToOneClientDoesNotStopTheRelay) {
  // Claim: when sendto to one client fails (injected EPERM with strace), the error is logged
  // naming that client and the other client still gets both datagrams; the server goes on.
  if (::access("/usr/bin/strace", X_OK) != 0) GTEST_SKIP() << "strace is not installed";
  // Sends #1-2 carry B's join to A; #3-4 C's join to A (failed), #5-6 C's join to B.
  Subprocess tracer =
      Subprocess::Start({"/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=sendto",
                         "-e", "inject=sendto:error=EPERM:when=3..4", BinPath("udp_chat_server"),
                         "0", "--bind", "127.0.0.1"});
  std::optional<std::string> listening =
      tracer.WaitForLineStartingWith("listening on ", Deadline::In(seconds(10)));
  ASSERT_TRUE(listening) << tracer.stderr_text();
  const std::vector<pid_t> traced = DescendantsOf(tracer.pid());
  ASSERT_EQ(traced.size(), 1u);
  const pid_t server_pid = traced[0];
  // Killing strace would detach it and leave the server running: on any early return, end the
  // server itself (strace then exits and the tracer's Subprocess reaps it).
  struct EndServer {
    pid_t pid;
    ~EndServer() {
      if (pid > 0) ::kill(pid, SIGKILL);
    }
  } end_server{server_pid};
  const core::Endpoint endpoint{
      core::kLoopbackAddress,
      static_cast<std::uint16_t>(std::stoi(listening->substr(listening->rfind(':') + 1)))};
  std::vector<std::unique_ptr<UdpPeer>> peers = MustBindMany(3);
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(peers[i]->SendTo(endpoint, "join\n"));
    ASSERT_EQ(tracer.ReadLine(Deadline::In(seconds(5))).value_or("<none>"),
              Count(static_cast<int>(i) + 1));
  }
  const Deadline deadline = Deadline::In(seconds(5));
  // A: B's join only. B: C's join, whole.
  std::optional<Datagram> a1 = peers[0]->Receive(deadline), a2 = peers[0]->Receive(deadline);
  ASSERT_TRUE(a1 && a2);
  EXPECT_EQ(a1->bytes, core::FormatChatPrefix(peers[1]->local()));
  std::optional<Datagram> b1 = peers[1]->Receive(deadline), b2 = peers[1]->Receive(deadline);
  ASSERT_TRUE(b1 && b2);
  EXPECT_EQ(b1->bytes, core::FormatChatPrefix(peers[2]->local()));
  EXPECT_EQ(b2->bytes, "join\n");
  ExpectEmptyNow(*peers[0]);  // B got C's join last: the send to A had failed before it.
  // The server is still relaying, to A as well.
  ASSERT_TRUE(peers[1]->SendTo(endpoint, "after\n"));
  ASSERT_EQ(tracer.ReadLine(Deadline::In(seconds(5))).value_or("<none>"), Count(3));
  std::optional<Datagram> a3 = peers[0]->Receive(deadline), a4 = peers[0]->Receive(deadline);
  ASSERT_TRUE(a3 && a4);
  EXPECT_EQ(a4->bytes, "after\n");
  // End the server itself (strace then exits with its status), by the pid we started.
  ::kill(server_pid, SIGTERM);
  std::optional<core::WaitStatus> status = tracer.Wait(Deadline::In(seconds(10)));
  if (status) end_server.pid = -1;  // Reaped by strace: the pid is no longer ours to signal.
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  const std::string errors = tracer.stderr_text();
  EXPECT_NE(errors.find("sendto " + core::FormatEndpoint(peers[0]->local()) +
                        ": Operation not permitted"),
            std::string::npos)
      << errors;
}

// --- G1: the command line --------------------------------------------------------------------

TEST(G1ChatServerUsage, BadArgumentsPrintUsageAndExitTwo) {
  // Claim: a missing port, a bad port, a bad --max-clients, an extra argument: usage, exit 2.
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"abc"},
                                             {"70000"},
                                             {"-1"},
                                             {"0", "1"},
                                             {"0", "--max-clients", "0"},
                                             {"0", "--max-clients", "x"},
                                             {"0", "--max-clients"},
                                             {"0", "--bind", "1.2.3"},
                                             {"0", "--bogus"}}) {
    std::vector<std::string> argv = {BinPath("udp_chat_server")};
    argv.insert(argv.end(), args.begin(), args.end());
    const Finished run = RunToEnd(argv, Deadline::In(seconds(10)));
    std::string joined;
    for (const std::string& arg : args) joined += " '" + arg + "'";
    ASSERT_TRUE(run.status) << joined;
    EXPECT_TRUE(run.status->ExitedWith(2))
        << joined << ": " << core::DescribeWaitStatus(*run.status);
    EXPECT_NE(run.err.find("Usage: "), std::string::npos) << joined;
    EXPECT_EQ(run.out, "") << joined;
  }
}

}  // namespace
}  // namespace netref::testing

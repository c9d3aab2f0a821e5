// chat_client_test.cc: the lecture's forking chat client (ChatClient.c), run as a real binary
// through pipes against the real chat server on 127.0.0.1. Clauses: G1, C7.
//
// The client is two processes: the parent (the pid the test started) sends stdin lines, its
// child writes received datagrams to stdout. Every path out of the client (END, stdin EOF, a
// signal to the parent, SIGKILL to the parent) must leave neither process behind.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/support/child_wait.h"
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

Subprocess StartClient(const core::Endpoint& server) {
  return Subprocess::Start(
      {BinPath("udp_chat_client"), core::FormatIpv4(server.address), std::to_string(server.port)},
      SpawnOptions{/*pipe_stdin=*/true});
}

std::string Count(std::size_t n) { return core::ClientCountLine(n); }

// The server's next console line must be `expected`.
void ExpectServerLine(StartedServer& server, const std::string& expected) {
  EXPECT_EQ(server.process.ReadLine(Deadline::In(seconds(5))).value_or("<none>"), expected);
}

// The client's receiving child: the one process below the client. Call it only after the
// client has sent something (the server counted it), which it does after forking.
std::optional<pid_t> ReceiverOf(const Subprocess& client) {
  const std::vector<pid_t> below = DescendantsOf(client.pid());
  if (below.size() != 1) return std::nullopt;
  return below[0];
}

// Waits (bounded) until `pid` has ended, dead or a zombie, without being its parent: a pidfd
// becomes readable when the process exits.
bool WaitUntilGone(pid_t pid, milliseconds limit) {
  const Deadline deadline = Deadline::In(limit);
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return !IsAlive(pid);  // ESRCH: already gone and reaped.
  pollfd entry{pidfd, POLLIN, 0};
  while (IsAlive(pid) && !deadline.expired()) ::poll(&entry, 1, deadline.remaining_ms());
  ::close(pidfd);
  return !IsAlive(pid);
}

// The test process becomes a child subreaper, so that a receiver its client parent left
// behind is re-parented to the test rather than to init. Then "reaped by its parent" is exact:
// the receiver never became the test's child. Without it, a client that merely exits would
// pass, because PR_SET_PDEATHSIG kills its orphan receiver anyway.
void BecomeSubreaper() { ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }

// True if `receiver` was reaped by its own parent: it was never re-parented to the test.
bool ReapedByItsParent(pid_t receiver) {
  int raw = 0;
  const pid_t reaped = ::waitpid(receiver, &raw, WNOHANG);  // Reaps it if it did come to us.
  return reaped < 0 && errno == ECHILD;
}

// A server, a test peer already listed as its first client, and one chat client listed second
// (it sent "hello\n", which the peer received). The fixture for every C7 exit path.
class C7ChatClient : public ::testing::Test {
 protected:
  void SetUp() override {
    BecomeSubreaper();
    server_.emplace(StartServer("udp_chat_server"));
    ASSERT_NE(server_->endpoint.port, 0) << server_->process.stderr_text();
    std::optional<UdpPeer> peer = UdpPeer::Bind();
    ASSERT_TRUE(peer);
    peer_ = std::make_unique<UdpPeer>(std::move(*peer));
    ASSERT_TRUE(peer_->SendTo(server_->endpoint, "peer\n"));
    ExpectServerLine(*server_, Count(1));
    client_.emplace(StartClient(server_->endpoint));
    ASSERT_TRUE(client_->WriteStdin("hello\n"));
    ExpectServerLine(*server_, Count(2));
    std::optional<Datagram> prefix = Receive(), payload = Receive();
    ASSERT_TRUE(prefix && payload);
    const core::Result<core::Endpoint> from = core::ParseChatPrefix(prefix->bytes);
    ASSERT_TRUE(from.ok()) << prefix->bytes;
    client_endpoint_ = from.value();
    EXPECT_EQ(client_endpoint_.address, core::kLoopbackAddress);
    EXPECT_EQ(payload->bytes, "hello\n");
    std::optional<pid_t> receiver = ReceiverOf(*client_);
    ASSERT_TRUE(receiver) << "the client has not exactly one child";
    receiver_ = *receiver;
  }

  std::optional<Datagram> Receive(milliseconds limit = milliseconds(5000)) {
    return peer_->Receive(Deadline::In(limit));
  }

  // Once the client has exited: it sent nothing more than the test has seen. Not a silence
  // waited out (a slow but wrong client would pass): a witness sends a marker after the exit;
  // the server relays datagrams one at a time in arrival order, and whatever the client sent
  // arrived before its exit, so the peer's next datagram is the marker's prefix if and only if
  // nothing else came from the client. The server's console says the same: after the lines of
  // what the test saw the client send (`lines_before`), the marker's line comes next, counting
  // the witness as third.
  void ExpectNothingMoreFromTheClient(const char* what,
                                      const std::vector<std::string>& lines_before) {
    std::optional<UdpPeer> witness = UdpPeer::Bind();
    ASSERT_TRUE(witness);
    ASSERT_TRUE(witness->SendTo(server_->endpoint, "marker\n"));
    for (const std::string& line : lines_before) ExpectServerLine(*server_, line);
    ExpectServerLine(*server_, Count(3));
    std::optional<Datagram> next = Receive();
    ASSERT_TRUE(next) << "the marker was not relayed";
    EXPECT_EQ(next->bytes, core::FormatChatPrefix(witness->local()))
        << what << ": '" << next->bytes << "'";
  }

  // After the client's parent has ended: its receiver is gone too, and was reaped by it when
  // `reaped_by_parent` (every path but SIGKILL, where the parent cannot reap anything).
  void ExpectNothingLeft(bool reaped_by_parent) {
    EXPECT_TRUE(WaitUntilGone(receiver_, milliseconds(5000))) << "orphan receiver " << receiver_;
    if (reaped_by_parent) {
      EXPECT_TRUE(ReapedByItsParent(receiver_))
          << "the client exited without reaping " << receiver_;
    } else {
      // The orphan came to the test (a subreaper): it must have died by PDEATHSIG's SIGKILL.
      // Bounded: a receiver still alive here has already failed the check above, and must not
      // hold the test until ctest's timeout (it is killed and reaped instead).
      const std::optional<int> raw = WaitChild(receiver_, 0, Deadline::In(seconds(5)));
      if (!raw) {
        KillAndReap(receiver_);  // The receiver our client started, reparented to us.
        FAIL() << "receiver " << receiver_ << " was not reaped in time";
      }
      EXPECT_TRUE(core::DecodeWaitStatus(*raw).KilledBy(SIGKILL))
          << core::DescribeWaitStatus(core::DecodeWaitStatus(*raw));
    }
    // The client's stdout reaches EOF: no process holds its write end any more.
    const Deadline eof = Deadline::In(seconds(5));
    client_->ReadStdoutToEof(eof);
    EXPECT_FALSE(eof.expired()) << "someone still holds the client's stdout";
  }

  std::optional<StartedServer> server_;
  std::unique_ptr<UdpPeer> peer_;
  std::optional<Subprocess> client_;
  core::Endpoint client_endpoint_;
  pid_t receiver_ = -1;
};

TEST_F(C7ChatClient, RelayedMessagesAppearRawOnStdout) {
  // Claim: what another client says reaches the chat client's stdout as the server sent it,
  // prefix then payload, raw; what the chat client's stdin says reaches the others, one
  // datagram per line with its newline, an empty line as "\n".
  ASSERT_TRUE(peer_->SendTo(server_->endpoint, "hi there\n"));
  ExpectServerLine(*server_, Count(2));
  const std::string expected = core::FormatChatPrefix(peer_->local()) + "hi there\n";
  EXPECT_EQ(client_->ReadStdoutBytes(expected.size(), Deadline::In(seconds(5))).value_or(""),
            expected);
  ASSERT_TRUE(client_->WriteStdin("\nsecond line\n"));
  for (const char* line : {"\n", "second line\n"}) {
    std::optional<Datagram> prefix = Receive(), payload = Receive();
    ASSERT_TRUE(prefix && payload);
    EXPECT_EQ(prefix->bytes, core::FormatChatPrefix(client_endpoint_));
    EXPECT_EQ(payload->bytes, line);
  }
  client_->CloseStdin();
  std::optional<core::WaitStatus> status = client_->Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
}

TEST_F(C7ChatClient, EndIsSentThenBothProcessesEnd) {
  // Claim: after sending END the client ends its receiver, reaps it and exits 0.
  ASSERT_TRUE(client_->WriteStdin("END\nnot sent\n"));
  std::optional<Datagram> prefix = Receive(), payload = Receive();
  ASSERT_TRUE(prefix && payload);
  EXPECT_EQ(payload->bytes, "END\n");
  std::optional<core::WaitStatus> status = client_->Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  ExpectNothingLeft(/*reaped_by_parent=*/true);
  ExpectNothingMoreFromTheClient("a line after END was sent", {Count(2)});  // END's line.
}

TEST_F(C7ChatClient, StdinEofEndsBothProcessesWithoutSending) {
  // Claim (deviation): at EOF the client sends nothing more, ends its receiver and exits 0
  // (the lecture resends its last line, exits 1 and leaves its child running).
  client_->CloseStdin();
  std::optional<core::WaitStatus> status = client_->Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  ExpectNothingLeft(/*reaped_by_parent=*/true);
  ExpectNothingMoreFromTheClient("something was sent at EOF", {});
}

TEST_F(C7ChatClient, SigtermToTheParentEndsBoth) {
  // Claim: SIGTERM to the parent ends the receiver, reaps it, and the parent dies by SIGTERM.
  client_->Signal(SIGTERM);
  std::optional<core::WaitStatus> status = client_->Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->KilledBy(SIGTERM)) << core::DescribeWaitStatus(*status);
  ExpectNothingLeft(/*reaped_by_parent=*/true);
}

TEST_F(C7ChatClient, SigintToTheParentEndsBoth) {
  // Claim: as SIGTERM, for SIGINT (Ctrl-C sent to the parent alone).
  client_->Signal(SIGINT);
  std::optional<core::WaitStatus> status = client_->Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->KilledBy(SIGINT)) << core::DescribeWaitStatus(*status);
  ExpectNothingLeft(/*reaped_by_parent=*/true);
}

TEST_F(C7ChatClient, SighupToTheParentEndsBoth) {
  // Claim: as SIGTERM, for SIGHUP (the terminal went away).
  client_->Signal(SIGHUP);
  std::optional<core::WaitStatus> status = client_->Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->KilledBy(SIGHUP)) << core::DescribeWaitStatus(*status);
  ExpectNothingLeft(/*reaped_by_parent=*/true);
}

TEST_F(C7ChatClient, SigkillToTheParentLeavesNoOrphan) {
  // Claim: even when the parent dies by SIGKILL (no handler can run), its receiver does not
  // outlive it: PR_SET_PDEATHSIG has the kernel kill it. The receiver is first seen blocked in
  // recvmsg, past its prctl: a parent killed earlier leaves a child that finds itself orphaned
  // by the getppid check and exits 0 instead (also no orphan, but not the path named here).
  ASSERT_TRUE(
      PollUntil([&] { return BlockedSyscall(receiver_) == SYS_recvmsg; }, Deadline::In(seconds(5))))
      << "the receiver never blocked in recvmsg";
  client_->Signal(SIGKILL);
  std::optional<core::WaitStatus> status = client_->Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->KilledBy(SIGKILL)) << core::DescribeWaitStatus(*status);
  ExpectNothingLeft(/*reaped_by_parent=*/false);
}

TEST(C7FiveClients, FiveChatClientsTalkThroughOneServer) {
  // Claim: five chat-client processes on one server: each one's stdout shows every other one's
  // lines, each with that sender's prefix, and never its own; all five exit 0 on END and leave
  // no process behind.
  constexpr std::size_t kClients = 5;
  BecomeSubreaper();
  StartedServer server = StartServer("udp_chat_server");
  ASSERT_NE(server.endpoint.port, 0);
  std::vector<Subprocess> clients;
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.push_back(StartClient(server.endpoint));
    ASSERT_TRUE(clients[i].WriteStdin("join " + std::to_string(i) + "\n"));
    ExpectServerLine(server, Count(i + 1));
  }
  for (std::size_t i = 0; i < kClients; ++i) {
    ASSERT_TRUE(clients[i].WriteStdin("message from " + std::to_string(i) + "\n"));
    ExpectServerLine(server, Count(kClients));
  }
  // Client i hears the joins of the later clients, then the four others' messages: one stdout
  // line per relayed message ("PREFIX" + "PAYLOAD\n").
  std::map<std::string, std::string> port_of;  // Payload -> the port in its prefix.
  for (std::size_t i = 0; i < kClients; ++i) {
    const std::size_t expected = (kClients - 1 - i) + (kClients - 1);
    std::set<std::string> heard;
    for (std::size_t n = 0; n < expected; ++n) {
      std::optional<std::string> line = clients[i].ReadLine(Deadline::In(seconds(5)));
      ASSERT_TRUE(line) << "client " << i << " heard only " << n << " of " << expected;
      const std::size_t split = line->find(">> ");
      ASSERT_NE(split, std::string::npos) << *line;
      const core::Result<core::Endpoint> from = core::ParseChatPrefix(line->substr(0, split + 3));
      ASSERT_TRUE(from.ok()) << *line;
      const std::string payload = line->substr(split + 3);
      heard.insert(payload);
      // The same payload carries the same prefix wherever it is heard.
      auto [it, inserted] = port_of.emplace(payload, std::to_string(from.value().port));
      EXPECT_EQ(it->second, std::to_string(from.value().port)) << payload;
    }
    for (std::size_t j = 0; j < kClients; ++j) {
      const std::string message = "message from " + std::to_string(j);
      EXPECT_EQ(heard.count(message), j == i ? 0u : 1u) << "client " << i << ", " << message;
    }
  }
  // Each sender's join and message carry one port, and the five ports differ.
  std::set<std::string> ports;
  for (std::size_t j = 0; j < kClients; ++j) {
    const std::string message = port_of["message from " + std::to_string(j)];
    // Client 0's join was heard by no one (it was alone); every later join by someone.
    if (j > 0) {
      EXPECT_EQ(port_of["join " + std::to_string(j)], message) << j;
    }
    ports.insert(message);
  }
  EXPECT_EQ(ports.size(), kClients);
  std::vector<pid_t> receivers;
  for (Subprocess& client : clients) {
    std::optional<pid_t> receiver = ReceiverOf(client);
    ASSERT_TRUE(receiver);
    receivers.push_back(*receiver);
  }
  for (Subprocess& client : clients) {
    ASSERT_TRUE(client.WriteStdin("END\n"));
    std::optional<core::WaitStatus> status = client.Wait(Deadline::In(seconds(10)));
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  }
  for (pid_t receiver : receivers) {
    EXPECT_TRUE(WaitUntilGone(receiver, milliseconds(5000)));
    EXPECT_TRUE(ReapedByItsParent(receiver)) << receiver;
  }
}

TEST(G1ChatClientUsage, BadArgumentsPrintUsageAndExitTwo) {
  // Claim: a missing IP or port, a bad IP, a bad port, an extra argument: usage, exit 2.
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"127.0.0.1"},
                                             {"1.2.3", "80"},
                                             {"localhost", "80"},
                                             {"127.0.0.1", "abc"},
                                             {"127.0.0.1", "70000"},
                                             {"127.0.0.1", "-1"},
                                             {"127.0.0.1", "80", "81"}}) {
    std::vector<std::string> argv = {BinPath("udp_chat_client")};
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

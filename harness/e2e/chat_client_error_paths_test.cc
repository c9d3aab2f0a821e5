// chat_client_error_paths_test.cc: the forking chat client when one of its two processes fails
// (C7: a send or receive error ends the client with a clear message and exit 1, and neither of
// its processes is left behind).
//
// The test plays the chat server itself with a UdpPeer on 127.0.0.1, so it knows the client's
// address from its first datagram and can send to the receiving child. A receiver whose stdout
// nobody reads any more is real (the test closes the pipe's read end); a failing recvmsg or
// sendto is injected with strace, as no real condition makes them fail on loopback.
// Must not: sleep to synchronise; every wait has a deadline.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/traced_program.h"
#include "harness/support/udp_peer.h"
#include "reference/core/ipv4.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<std::string> ClientArgs(const UdpPeer& server) {
  return {core::FormatIpv4(server.local().address), std::to_string(server.local().port)};
}

// The client's end: exit 1 and its stderr saying `why`; and when the test knows the client's
// receiving child, that it is gone too (not left running as an orphan).
void ExpectEndsWithOneSaying(Subprocess& client, std::optional<pid_t> receiver,
                             const std::string& why) {
  std::optional<core::WaitStatus> status = client.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value()) << "the client outlived its failure: " << client.stderr_text();
  EXPECT_TRUE(status->ExitedWith(1)) << core::DescribeWaitStatus(*status);
  const std::string errors = client.stderr_text();
  EXPECT_NE(errors.find(why), std::string::npos) << errors;
  if (receiver) {
    EXPECT_TRUE(PollUntil([&] { return !IsAlive(*receiver); }, Deadline::In(milliseconds(3000))))
        << "the receiver " << *receiver << " was left";
  }
}

// The client's receiving child, once it has forked (the one process below the client).
std::optional<pid_t> ReceiverOf(pid_t client) {
  std::vector<pid_t> below;
  PollUntil(
      [&] {
        below = DescendantsOf(client);
        return below.size() == 1;
      },
      Deadline::In(seconds(5)));
  if (below.size() != 1) return std::nullopt;
  return below[0];
}

TEST(C7ReceiverStdoutGone, TheClientEndsWithOneWhenItsReceiverCannotWriteTheChat) {
  // Claim: when nobody reads the client's stdout any more (the pipe's read end is closed), the
  // receiving child, unable to write a datagram it received, ends; the sender sees it end, says
  // so on stderr and exits 1, leaving no process behind.
  UdpPeer server = UdpPeer::MustBind();
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  SpawnOptions options;
  options.pipe_stdin = true;
  options.stdout_fd = out[1];
  std::vector<std::string> argv = {BinPath("udp_chat_client")};
  for (const std::string& arg : ClientArgs(server)) argv.push_back(arg);
  Subprocess client = Subprocess::Start(argv, options);
  ::close(out[1]);
  ::close(out[0]);  // Nobody will ever read the chat.
  ASSERT_TRUE(client.WriteStdin("hello\n"));
  std::optional<Datagram> hello = server.Receive(Deadline::In(seconds(5)));
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->bytes, "hello\n");
  const std::optional<pid_t> receiver = ReceiverOf(client.pid());
  ASSERT_TRUE(receiver.has_value());
  ASSERT_TRUE(server.SendTo(hello->from, "a line for nobody\n"));
  ExpectEndsWithOneSaying(client, receiver, "the receiving process ended");
}

TEST(C7ReceiveError, TheClientEndsWithOneWhenItsReceiverCannotReceive) {
  // Claim: when the receiving child's recvmsg fails (ENOMEM, injected), it says so on stderr
  // (the lecture's errProc("read")) and ends; the sender then ends too with exit 1.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  UdpPeer server = UdpPeer::MustBind();
  SpawnOptions options;
  options.pipe_stdin = true;
  TracedProgram client =
      StartTraced({"-e", "trace=recvmsg", "-e", "inject=recvmsg:error=ENOMEM:when=1"},
                  "udp_chat_client", ClientArgs(server), options);
  // It may fail and end before the test sees it: its stderr and end say what happened.
  ExpectEndsWithOneSaying(client.tracer, std::nullopt, "recvmsg: Cannot allocate memory");
  EXPECT_NE(client.tracer.stderr_text().find("the receiving process ended"), std::string::npos)
      << client.tracer.stderr_text();
}

TEST(C7SendError, TheClientEndsWithOneNamingTheServerWhenASendFails) {
  // Claim: when sending a line fails (sendto: EPERM, injected), the client stops (the lecture's
  // errProc("write")): it says which send failed, ends its receiver and exits 1; the server
  // gets nothing.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  UdpPeer server = UdpPeer::MustBind();
  SpawnOptions options;
  options.pipe_stdin = true;
  TracedProgram client = StartTraced({"-e", "trace=sendto", "-e", "inject=sendto:error=EPERM"},
                                     "udp_chat_client", ClientArgs(server), options);
  ASSERT_GT(client.program, 0) << client.tracer.stderr_text();
  ASSERT_TRUE(client.tracer.WriteStdin("hello\n"));
  ExpectEndsWithOneSaying(
      client.tracer, client.program,
      "sendto " + core::FormatEndpoint(server.local()) + ": Operation not permitted");
  // A witness datagram, sent after the client ended, is the first the server gets.
  UdpPeer witness = UdpPeer::MustBind();
  ASSERT_TRUE(witness.SendTo(server.local(), "witness"));
  std::optional<Datagram> first = server.Receive(Deadline::In(seconds(5)));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->bytes, "witness");
}

TEST(C7PollError, TheClientEndsWithOneWhenItCannotWaitForInput) {
  // Claim: when the sender's wait for stdin and signals fails (poll: ENOMEM, injected), the
  // client says so and exits 1 instead of spinning or hanging.
  if (!StraceAvailable()) GTEST_SKIP() << "strace is not installed";
  UdpPeer server = UdpPeer::MustBind();
  SpawnOptions options;
  options.pipe_stdin = true;
  TracedProgram client = StartTraced({"-e", "trace=poll", "-e", "inject=poll:error=ENOMEM"},
                                     "udp_chat_client", ClientArgs(server), options);
  // It fails at its first poll and may end before the test sees it.
  ExpectEndsWithOneSaying(client.tracer, std::nullopt, "poll: Cannot allocate memory");
}

}  // namespace
}  // namespace netref::testing

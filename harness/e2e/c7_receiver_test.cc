// c7_receiver_test.cc: the chat client's receiving child (C7): it writes every datagram whole
// to stdout, even when stdout takes it in pieces, and its death does not leave a deaf client.
//
// The test plays the chat server itself (a UDP socket on 127.0.0.1), so it decides exactly what
// the client receives. Must not: signal any process the test did not start (or that the client
// did not fork).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/udp_peer.h"
#include "reference/core/lecture_limits.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Subprocess StartClient(const core::Endpoint& server, SpawnOptions options) {
  options.pipe_stdin = true;
  return Subprocess::Start(
      {BinPath("udp_chat_client"), core::FormatIpv4(server.address), std::to_string(server.port)},
      options);
}

// Reads `fd` until `n` bytes came, EOF, or the deadline.
std::string ReadUpTo(int fd, std::size_t n, const Deadline& deadline) {
  std::string bytes;
  char buffer[16384];
  while (bytes.size() < n) {
    pollfd entry{fd, POLLIN, 0};
    if (::poll(&entry, 1, deadline.remaining_ms()) <= 0) break;
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    bytes.append(buffer, static_cast<std::size_t>(got));
  }
  return bytes;
}

std::size_t Unread(int fd) {
  int n = 0;
  return ::ioctl(fd, FIONREAD, &n) == 0 ? static_cast<std::size_t>(n) : 0;
}

TEST(C7Receiver, ShortWritesToANonBlockingStdoutLoseNothing) {
  // Claim: when the client's stdout is a non-blocking pipe that nobody reads for a while (a
  // shell may leave it so), a datagram that finds the pipe nearly full is written in part; the
  // receiver waits for room and writes the rest, so every byte reaches stdout in order.
  // The short write is the kernel's rule, not luck: a pipe is a ring of pages, and a
  // non-blocking write to a pipe with one free page writes that page and returns its size.
  std::optional<UdpPeer> server = UdpPeer::Bind();
  ASSERT_TRUE(server.has_value());
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  ASSERT_EQ(::fcntl(pipe_fds[1], F_SETFL, O_NONBLOCK), 0);  // Shared with the client's stdout.
  const std::size_t capacity = static_cast<std::size_t>(::fcntl(pipe_fds[0], F_GETPIPE_SZ));
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  ASSERT_GT(capacity, page);
  // Every page but one taken, by whole-page writes (each fills a page of its own).
  std::string expected;
  for (std::size_t used = 0; used + page < capacity; used += page) {
    const std::string filler(page, 'p');
    ASSERT_EQ(::write(pipe_fds[1], filler.data(), filler.size()), static_cast<ssize_t>(page));
    expected += filler;
  }
  SpawnOptions options;
  options.stdout_fd = pipe_fds[1];
  Subprocess client = StartClient(server->local(), options);
  ::close(pipe_fds[1]);  // The client's copies keep it open; EOF comes when both processes end.

  // The client's first datagram tells the test where the client receives (the receiver is
  // forked before the sender reads stdin).
  ASSERT_TRUE(client.WriteStdin("hello\n"));
  std::optional<Datagram> hello = server->Receive(Deadline::In(seconds(5)));
  ASSERT_TRUE(hello.has_value());
  ASSERT_EQ(hello->bytes, "hello\n");
  const core::Endpoint receiver = hello->from;

  // One datagram of the server's largest size (8191 bytes), more than the free page holds.
  std::string datagram(core::kMaxRead, 'd');
  for (std::size_t i = 0; i < datagram.size(); ++i) datagram[i] = static_cast<char>('a' + i % 26);
  ASSERT_GT(datagram.size(), page);
  ASSERT_TRUE(server->SendTo(receiver, datagram));
  expected += datagram;
  ASSERT_TRUE(PollUntil([&] { return UdpReceiveQueueBytes(receiver.port) == std::size_t{0}; },
                        Deadline::In(seconds(5))))
      << "the receiver did not take the datagram";
  // The pipe fills up: the receiver's write took one page of the datagram and no more.
  ASSERT_TRUE(PollUntil([&] { return Unread(pipe_fds[0]) == capacity; }, Deadline::In(seconds(5))))
      << Unread(pipe_fds[0]) << " bytes in a pipe of " << capacity;

  const std::string got = ReadUpTo(pipe_fds[0], expected.size(), Deadline::In(seconds(5)));
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << "the bytes on stdout differ from the filler and the datagram";

  client.CloseStdin();  // EOF: the client ends its receiver and exits 0.
  std::optional<core::WaitStatus> status = client.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status) << client.stderr_text();
  ::close(pipe_fds[0]);
}

TEST(C7Receiver, ADeadReceiverEndsTheClientWithAnError) {
  // Claim: when the receiving child dies (here by SIGKILL), the sender does not go on deaf: it
  // says so on stderr and exits 1, with no process of the client left behind.
  std::optional<UdpPeer> server = UdpPeer::Bind();
  ASSERT_TRUE(server.has_value());
  Subprocess client = StartClient(server->local(), SpawnOptions{});
  ASSERT_TRUE(client.WriteStdin("hello\n"));
  ASSERT_TRUE(server->Receive(Deadline::In(seconds(5))).has_value());  // Forked by now.
  const std::vector<pid_t> below = DescendantsOf(client.pid());
  ASSERT_EQ(below.size(), 1u);
  const pid_t receiver = below[0];
  ASSERT_EQ(::kill(receiver, SIGKILL), 0);  // The client's own child, by pid.

  std::optional<core::WaitStatus> status = client.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value()) << "the client outlived its receiver (stdin still open)";
  EXPECT_TRUE(status->ExitedWith(1)) << core::DescribeWaitStatus(*status);
  EXPECT_NE(client.stderr_text().find("the receiving process ended"), std::string::npos)
      << client.stderr_text();
  EXPECT_FALSE(IsAlive(receiver));
}

}  // namespace
}  // namespace netref::testing

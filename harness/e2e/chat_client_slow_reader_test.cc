// chat_client_slow_reader_test.cc: the chat client's receiver writes the chat's bytes whole,
// waiting for a slow reader, even when its stdout is non-blocking (C7).
//
// The client's stdout is a pipe whose open file description the test made O_NONBLOCK (the flag
// lives in the description, which the client shares: a shell can hand a program such a stdout).
// The test fills that pipe without reading, until the receiver is blocked waiting for room
// (/proc says it sleeps in poll), then reads everything: every datagram must be there, whole and
// in order, though the receiver's writes met EAGAIN on the way.
// Must not: sleep to synchronise; every wait has a deadline.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/udp_peer.h"
#include "reference/core/ipv4.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

// Datagram `i` of the test: 4000 bytes, each line naming its datagram, so a lost, cut or
// repeated piece cannot go unseen.
std::string DatagramNumber(int i) {
  std::string line = "datagram " + std::to_string(i) + "\n";
  std::string bytes;
  while (bytes.size() + line.size() <= 4000) bytes += line;
  bytes.resize(4000, '.');
  return bytes;
}

bool Writable(int fd) {
  pollfd entry{fd, POLLOUT, 0};
  return ::poll(&entry, 1, 0) == 1;
}

TEST(C7SlowReader, TheReceiverWaitsForRoomOnANonBlockingStdoutAndLosesNothing) {
  // Claim: with its stdout a full non-blocking pipe, the receiver waits for room (blocked in
  // poll, not spinning, not giving up); once the reader reads, every datagram (more than the
  // pipe holds) arrives whole and in order, and the client still ends with exit 0 at
  // stdin EOF.
  UdpPeer server = UdpPeer::MustBind();
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  ASSERT_EQ(::fcntl(out[1], F_SETFL, ::fcntl(out[1], F_GETFL) | O_NONBLOCK), 0);
  SpawnOptions options;
  options.pipe_stdin = true;
  options.stdout_fd = out[1];
  Subprocess client =
      Subprocess::Start({BinPath("udp_chat_client"), core::FormatIpv4(server.local().address),
                         std::to_string(server.local().port)},
                        options);
  ASSERT_TRUE(client.WriteStdin("hello\n"));
  std::optional<Datagram> hello = server.Receive(Deadline::In(seconds(5)));
  ASSERT_TRUE(hello.has_value());
  const std::vector<pid_t> below = DescendantsOf(client.pid());
  ASSERT_EQ(below.size(), 1u) << "the client's receiver";
  const pid_t receiver = below[0];

  // One datagram at a time, each taken by the receiver (its socket queue empty again) before
  // the next, until the pipe (64 KiB: 16 of them) is full and the receiver waits for room; then
  // 8 more, which wait in its socket (well within its receive buffer: none is dropped).
  const auto waiting_for_room = [&] {
    const std::optional<long> call = BlockedSyscall(receiver);
    return !Writable(out[1]) && call && (*call == SYS_poll || *call == SYS_ppoll);
  };
  std::string expected;
  int sent = 0;
  bool waiting = false;
  for (; sent < 64 && !waiting; ++sent) {
    ASSERT_TRUE(server.SendTo(hello->from, DatagramNumber(sent)));
    expected += DatagramNumber(sent);
    ASSERT_TRUE(PollUntil(
        [&] {
          waiting = waiting_for_room();
          return waiting || UdpReceiveQueueBytes(hello->from.port) == std::optional<std::size_t>(0);
        },
        Deadline::In(seconds(10))))
        << "datagram " << sent << " was never taken";
  }
  ASSERT_TRUE(waiting) << "the receiver never waited for room in its stdout";
  for (int more = 0; more < 8; ++more, ++sent) {
    ASSERT_TRUE(server.SendTo(hello->from, DatagramNumber(sent)));
    expected += DatagramNumber(sent);
  }
  ::close(out[1]);

  std::string received;
  const Deadline deadline = Deadline::In(seconds(10));
  char buffer[65536];
  while (received.size() < expected.size() && !deadline.expired()) {
    pollfd entry{out[0], POLLIN, 0};
    if (::poll(&entry, 1, deadline.remaining_ms()) != 1) break;
    const ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  EXPECT_EQ(received.size(), expected.size());
  EXPECT_TRUE(received == expected) << "the chat's bytes were cut, lost or reordered";

  client.CloseStdin();
  std::optional<core::WaitStatus> status = client.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status) << client.stderr_text();
  ::close(out[0]);
}

}  // namespace
}  // namespace netref::testing

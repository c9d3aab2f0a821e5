// lives_delivery_test.cc: S1 counts deliveries, not wake-ups.
//
// Each SIGINT is sent once the kernel no longer holds the previous one pending (ShdPnd and
// SigPnd in /proc/PID/status), so every one is a separate delivery to the handler; the lecture's
// handler counts each of them (`global_count--`). Whether the main loop has printed the line in
// between must not matter: the eleventh delivery meets the default action and kills, even when
// the demo's stdout is a full pipe that no one reads.
// Must not: signal anything but the demo it started; sleep to synchronise.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "reference/core/signal_demo_lines.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Sends SIGINT and waits until the kernel has delivered it (it is no longer pending), or the
// process is gone. False if it stays pending past the deadline.
bool DeliverSigint(pid_t pid) {
  if (::kill(pid, SIGINT) != 0) return false;
  return PollUntil([&] { return !IsAlive(pid) || !SignalPending(pid, SIGINT); },
                   Deadline::In(seconds(5)));
}

// A pipe whose write end is full: a write to it blocks (or fails with EAGAIN).
struct FullPipe {
  int read_end = -1;
  int write_end = -1;
  FullPipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    read_end = fds[0];
    write_end = fds[1];
    const int flags = ::fcntl(write_end, F_GETFL);
    ::fcntl(write_end, F_SETFL, flags | O_NONBLOCK);
    const std::string chunk(4096, 'f');
    while (::write(write_end, chunk.data(), chunk.size()) > 0) {
    }
    ::fcntl(write_end, F_SETFL, flags);  // The demo gets a blocking write end, as a shell's.
  }
  ~FullPipe() {
    ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
};

TEST(S1Lives, TheEleventhDeliveryKillsEvenWhenTheConsoleIsStuck) {
  // Claim: with stdout a full pipe that is never read (the main loop cannot print its first
  // line), 11 SIGINTs, each delivered before the next is sent, still end the demo by SIGINT at
  // the eleventh: the handler counts the lives and restores the default action itself.
  FullPipe console;
  SpawnOptions options;
  options.stdout_fd = console.write_end;
  Subprocess demo = Subprocess::Start({BinPath("sig_lives")}, options);
  ::close(console.write_end);  // Only the demo holds it now.
  console.write_end = -1;
  ASSERT_TRUE(
      PollUntil([&] { return SignalCaught(demo.pid(), SIGINT); }, Deadline::In(seconds(5))));
  for (int i = 1; i <= 10; ++i) {
    ASSERT_TRUE(DeliverSigint(demo.pid())) << "SIGINT " << i << " stays pending";
    ASSERT_TRUE(IsAlive(demo.pid())) << "died at SIGINT " << i;
  }
  ASSERT_TRUE(DeliverSigint(demo.pid()));
  std::optional<core::WaitStatus> status = demo.Wait(Deadline::In(seconds(5)));
  ASSERT_TRUE(status.has_value()) << "the eleventh SIGINT was caught instead of killing";
  EXPECT_TRUE(status->KilledBy(SIGINT)) << core::DescribeWaitStatus(*status);
}

TEST(S1Lives, TenDeliveriesGiveTenLinesAndTheProcessLives) {
  // Claim: with a console that is read, 10 SIGINTs sent back to back (each delivered, none
  // awaited on stdout) give exactly the 10 lines, 10 down to 1, and the demo lives on; the
  // eleventh then kills it by SIGINT.
  Subprocess demo = Subprocess::Start({BinPath("sig_lives")});
  ASSERT_TRUE(
      PollUntil([&] { return SignalCaught(demo.pid(), SIGINT); }, Deadline::In(seconds(5))));
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(DeliverSigint(demo.pid())) << "SIGINT " << i;
  for (int lives = core::kLives; lives >= 1; --lives) {
    EXPECT_EQ(demo.ReadLine(Deadline::In(seconds(5))),
              std::optional<std::string>(core::LivesLine(lives)));
  }
  EXPECT_TRUE(IsAlive(demo.pid()));
  ASSERT_TRUE(DeliverSigint(demo.pid()));
  std::optional<core::WaitStatus> status = demo.Wait(Deadline::In(seconds(5)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->KilledBy(SIGINT)) << core::DescribeWaitStatus(*status);
  EXPECT_EQ(demo.ReadStdoutToEof(Deadline::In(seconds(5))), "") << "a line after the tenth";
}

TEST(S1Lives, TwoDeliveriesBeforeTheMainLoopReadsThemAreTwoLives) {
  // Claim: two SIGINTs delivered before the main loop takes the count are two lives and two
  // lines, not one wake-up's. strace makes it certain, not likely: it injects a second SIGINT
  // at the main loop's first read, the drain of the wake fd, after the first SIGINT's handler
  // and before the count is taken. Then 8 more SIGINTs give the lines down to 1, and the next
  // one (the eleventh delivery, the tenth sent) kills.
  if (::access("/usr/bin/strace", X_OK) != 0) GTEST_SKIP() << "strace is not installed";
  Subprocess strace =
      Subprocess::Start({"/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=read",
                         "-e", "inject=read:signal=SIGINT:when=1", BinPath("sig_lives")});
  std::vector<pid_t> below;
  ASSERT_TRUE(PollUntil(
      [&] {
        below = DescendantsOf(strace.pid());
        return below.size() == 1 && SignalCaught(below[0], SIGINT);
      },
      Deadline::In(seconds(10))))
      << strace.stderr_text();
  const pid_t demo = below[0];
  ASSERT_TRUE(DeliverSigint(demo));
  for (int lives = core::kLives; lives >= core::kLives - 1; --lives) {
    EXPECT_EQ(strace.ReadLine(Deadline::In(seconds(5))),
              std::optional<std::string>(core::LivesLine(lives)))
        << "one wake-up, two deliveries";
  }
  for (int lives = core::kLives - 2; lives >= 1; --lives) {
    ASSERT_TRUE(DeliverSigint(demo)) << "SIGINT for life " << lives;
    EXPECT_EQ(strace.ReadLine(Deadline::In(seconds(5))),
              std::optional<std::string>(core::LivesLine(lives)));
  }
  ASSERT_TRUE(DeliverSigint(demo));
  std::optional<core::WaitStatus> status = strace.Wait(Deadline::In(seconds(5)));
  ASSERT_TRUE(status.has_value()) << "the eleventh delivery was caught instead of killing";
  EXPECT_TRUE(status->KilledBy(SIGINT)) << core::DescribeWaitStatus(*status);  // strace's too.
}

}  // namespace
}  // namespace netref::testing

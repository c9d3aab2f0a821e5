// signal_bridge_test.cc: the counting signal bridge in this test's own process (S1, G5): each
// delivery is counted until taken, a stop is seen by stop_requested and the stop fd, and a
// signal the bridge cannot handle is refused with a message instead of being half-installed.
//
// The signals are raised by the test at itself (raise: delivered before it returns, as the
// signal is not blocked), so no timing is involved. SIGUSR1/SIGUSR2 only: the test binary uses
// neither for anything else.
#include "reference/posix/signal_bridge.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include "absl/status/statusor.h"

namespace netref::posix {
namespace {

bool Readable(int fd) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, 0) == 1 && (entry.revents & POLLIN) != 0;
}

SignalBridge& Bridge() {
  absl::StatusOr<SignalBridge*> bridge =
      SignalBridge::Install({{SIGUSR1, SignalUse::kCount}, {SIGUSR2, SignalUse::kStop}});
  EXPECT_TRUE(bridge.ok()) << bridge.status();
  return **bridge;
}

TEST(S1SignalBridge, EveryDeliveryIsCountedUntilTakenAndTakingResetsTheCounts) {
  // Claim: three deliveries not yet taken are three (the lecture's handler counts each one), the
  // wake fd says so, and the next Take reports none.
  SignalBridge& bridge = Bridge();
  (void)bridge.Take();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(::raise(SIGUSR1), 0);
  EXPECT_TRUE(Readable(bridge.wake_fd()));
  const SignalCounts counts = bridge.Take();
  EXPECT_EQ(counts.of(SIGUSR1), 3);
  EXPECT_TRUE(counts.any());
  EXPECT_FALSE(counts.stop()) << "a counted signal is not a stop";
  EXPECT_FALSE(Readable(bridge.wake_fd())) << "Take drains the wake fd";
  const SignalCounts none = bridge.Take();
  EXPECT_FALSE(none.any());
  EXPECT_EQ(none.of(SIGUSR1), 0);
  EXPECT_EQ(none.of(0), 0) << "no such signal counts nothing";
}

TEST(G5SignalBridge, AStopIsSeenByTakeStopRequestedAndTheStopFdForGood) {
  // Claim: a stop signal is reported as a stop by Take, and stop_requested and the stop fd keep
  // saying so after it was taken (a console wait elsewhere must still give up).
  SignalBridge& bridge = Bridge();
  ASSERT_EQ(::raise(SIGUSR2), 0);
  EXPECT_TRUE(bridge.Take().stop());
  EXPECT_TRUE(bridge.stop_requested());
  EXPECT_TRUE(Readable(bridge.stop_fd()));
  EXPECT_FALSE(bridge.Take().any());
  EXPECT_TRUE(Readable(bridge.stop_fd())) << "the stop fd is never drained";
}

TEST(G1SignalBridge, ASignalOutOfRangeIsRefusedWithItsNumber) {
  // Claim: a signal number the bridge has no slot for is an InvalidArgument naming it.
  absl::StatusOr<SignalBridge*> zero = SignalBridge::Install({{0, SignalUse::kStop}});
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(zero.status().message(), "no such signal: 0");
  EXPECT_FALSE(SignalBridge::Install({{kMaxSignal + 1, SignalUse::kStop}}).ok());
}

TEST(G1SignalBridge, ASignalThatCannotBeCaughtIsAnErrorFromSigaction) {
  // Claim: SIGKILL cannot be caught: Install says so (sigaction's EINVAL) instead of pretending.
  absl::StatusOr<SignalBridge*> kill = SignalBridge::Install({{SIGKILL, SignalUse::kStop}});
  ASSERT_FALSE(kill.ok());
  EXPECT_NE(kill.status().message().find("sigaction"), std::string::npos) << kill.status();
}

}  // namespace
}  // namespace netref::posix

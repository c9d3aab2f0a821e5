// wait_status_test.cc: S3, decoding Linux's wait-status encoding (hand-made values; the
// kernel-checked test is wait_status_kernel_test.cc).
#include <gtest/gtest.h>

#include "reference/core/wait_status.h"

namespace netref::core {
namespace {

TEST(S3WaitStatus, DecodesEachKindOfEnd) {
  // Claim: exit codes, signals, core dumps, stops and continues decode from their encodings.
  EXPECT_TRUE(DecodeWaitStatus(0).ExitedWith(0));
  EXPECT_TRUE(DecodeWaitStatus(3 << 8).ExitedWith(3));
  EXPECT_TRUE(DecodeWaitStatus(255 << 8).ExitedWith(255));
  EXPECT_TRUE(DecodeWaitStatus(15).KilledBy(15));
  WaitStatus dumped = DecodeWaitStatus(11 | 0x80);
  EXPECT_TRUE(dumped.KilledBy(11));
  EXPECT_TRUE(dumped.core_dumped);
  WaitStatus stopped = DecodeWaitStatus((19 << 8) | 0x7f);
  EXPECT_EQ(stopped.kind, WaitStatus::Kind::kStopped);
  EXPECT_EQ(stopped.signal, 19);
  EXPECT_EQ(DecodeWaitStatus(0xffff).kind, WaitStatus::Kind::kContinued);
}

TEST(S3WaitStatus, DescribesForPeople) {
  // Claim: the log text names the exit code or the signal by name.
  EXPECT_EQ(DescribeWaitStatus(DecodeWaitStatus(1 << 8)), "exited with status 1");
  EXPECT_EQ(DescribeWaitStatus(DecodeWaitStatus(2)), "killed by SIGINT");
  EXPECT_EQ(DescribeWaitStatus(DecodeWaitStatus(6 | 0x80)), "killed by SIGABRT (core dumped)");
  EXPECT_EQ(SignalName(13), "SIGPIPE");
  EXPECT_EQ(SignalName(36), "SIGRTMIN+2");
  EXPECT_EQ(SignalName(99), "signal 99");
  // The ends of the named range: the first and the last standard signal.
  EXPECT_EQ(SignalName(1), "SIGHUP");
  EXPECT_EQ(SignalName(31), "SIGSYS");
  EXPECT_EQ(SignalName(0), "signal 0");
}

}  // namespace
}  // namespace netref::core

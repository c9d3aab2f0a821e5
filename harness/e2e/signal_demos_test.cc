// signal_demos_test.cc: the signal and process demos (S1, S2, S4) run as real processes.
//
// Signals coalesce, so every test sends one signal and waits for the line it causes before
// sending the next; "the handler is in place" is read from /proc/PID/status (SigCgt/SigIgn)
// rather than guessed with a sleep. Must not: signal anything but the demo it started.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "reference/core/signal_demo_lines.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;

// One mask line of /proc/PID/status ("SigCgt", "SigIgn", …) as bits, or nullopt if gone.
std::optional<std::uint64_t> SignalMask(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stoull(line.substr(field.size() + 1), nullptr, 16);
    }
  }
  return std::nullopt;
}

bool Catches(pid_t pid, int signal) {
  std::optional<std::uint64_t> mask = SignalMask(pid, "SigCgt");
  return mask && ((*mask >> (signal - 1)) & 1u) != 0;
}
bool Ignores(pid_t pid, int signal) {
  std::optional<std::uint64_t> mask = SignalMask(pid, "SigIgn");
  return mask && ((*mask >> (signal - 1)) & 1u) != 0;
}

// Waits (bounded) until `ready` holds; false if the deadline passes first.
template <typename Predicate>
bool WaitUntil(Predicate ready, const Deadline& deadline) {
  return PollUntil(ready, deadline);
}

TEST(S1Lives, EachSigintCostsOneLifeAndTheEleventhKills) {
  // Claim: after k SIGINTs (k = 1..10) the demo has printed exactly the lines for 10 down to
  // 11-k and is alive; the 11th SIGINT ends it by SIGINT.
  Subprocess demo = Subprocess::Start({BinPath("sig_lives")});
  ASSERT_TRUE(
      WaitUntil([&] { return Catches(demo.pid(), SIGINT); }, Deadline::In(milliseconds(5000))))
      << "sig_lives never installed its SIGINT handler";
  std::vector<std::string> expected;
  for (int k = 1; k <= core::kLives; ++k) {
    demo.Signal(SIGINT);
    std::optional<std::string> line = demo.ReadLine(Deadline::In(milliseconds(5000)));
    ASSERT_TRUE(line.has_value()) << "no line after SIGINT " << k;
    expected.push_back(core::LivesLine(core::kLives + 1 - k));
    EXPECT_EQ(demo.lines(), expected) << "after SIGINT " << k;
    EXPECT_TRUE(IsAlive(demo.pid())) << "after SIGINT " << k;
    EXPECT_FALSE(demo.Wait(Deadline::In(milliseconds(0))).has_value()) << "after SIGINT " << k;
  }
  // The lecture's exact text, its printf's space before the newline included.
  EXPECT_EQ(expected.front(), "Received SIGINT... 10 Lives Left ");
  // The default action is back before the 10th line was printed.
  EXPECT_FALSE(Catches(demo.pid(), SIGINT));
  demo.Signal(SIGINT);
  std::optional<core::WaitStatus> status = demo.Wait(Deadline::In(milliseconds(5000)));
  ASSERT_TRUE(status.has_value()) << "the 11th SIGINT did not end sig_lives";
  EXPECT_TRUE(status->KilledBy(SIGINT)) << core::DescribeWaitStatus(*status);
  EXPECT_EQ(demo.ReadStdoutToEof(Deadline::In(milliseconds(2000))), "") << "a line after the 10th";
  EXPECT_EQ(demo.lines(), expected);
  EXPECT_EQ(demo.stderr_text(), "");
}

TEST(S2Ignore, SigintDuringTheCountdownChangesNothing) {
  // Claim: SIGINTs sent during the countdown have no effect: the output is exactly 5..1
  // `N: sleep and awake` and the exit status is 1.
  Subprocess demo = Subprocess::Start({BinPath("sig_ignore"), "--interval-ms", "100"});
  std::vector<std::string> expected;
  for (int n = core::kCountdownFrom; n >= 1; --n) {
    std::optional<std::string> line = demo.ReadLine(Deadline::In(milliseconds(5000)));
    ASSERT_TRUE(line.has_value()) << "no line for " << n;
    expected.push_back(core::CountdownLine(n));
    // The first line is printed after the sigaction, so SIGINT is ignored from here on.
    EXPECT_TRUE(Ignores(demo.pid(), SIGINT)) << "at " << n;
    for (int i = 0; i < 3; ++i) demo.Signal(SIGINT);
  }
  EXPECT_EQ(demo.lines(), expected);
  std::optional<core::WaitStatus> status = demo.Wait(Deadline::In(milliseconds(5000)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(core::kIgnoreDemoExitStatus)) << core::DescribeWaitStatus(*status);
  EXPECT_EQ(demo.ReadStdoutToEof(Deadline::In(milliseconds(2000))), "");
  EXPECT_EQ(demo.stderr_text(), "");
}

TEST(S2Ignore, WithoutSignalsTheOutputIsTheLecturesCountdown) {
  // Claim: left alone, the demo prints exactly the five countdown lines and exits 1.
  Subprocess demo = Subprocess::Start({BinPath("sig_ignore"), "--interval-ms", "1"});
  std::optional<core::WaitStatus> status = demo.Wait(Deadline::In(milliseconds(5000)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(1)) << core::DescribeWaitStatus(*status);
  std::string expected;
  for (int n = 5; n >= 1; --n) expected += core::CountdownLine(n) + "\n";
  EXPECT_EQ(expected.substr(0, expected.find('\n')), "5: sleep and awake ");  // The lecture's.
  EXPECT_EQ(demo.ReadStdoutToEof(Deadline::In(milliseconds(2000))), expected);
}

TEST(S4ForkDemo, ChildsChangeIsUnseenAndItsExitStatusIsDecoded) {
  // Claim: the child's change to its copy does not reach the parent, and the parent reports the
  // child's exit status (3) as decoded from wait, naming the child's real pid.
  Subprocess demo = Subprocess::Start({BinPath("fork_demo")});
  std::optional<core::WaitStatus> status = demo.Wait(Deadline::In(milliseconds(5000)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  std::vector<std::string> lines;
  while (std::optional<std::string> line = demo.ReadLine(Deadline::In(milliseconds(2000)))) {
    lines.push_back(*line);
  }
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], core::ForkDemoBeforeLine(10));
  EXPECT_EQ(lines[1], core::ForkDemoChildLine(20));
  std::smatch match;
  ASSERT_TRUE(std::regex_match(lines[2], match,
                               std::regex("parent: wait: child ([0-9]+) exited with status 3")))
      << lines[2];
  // The pid is the child's, not the 0/1 of the lecture's `pid=fork()==0`.
  const long child = std::stol(match[1]);
  EXPECT_GT(child, 1);
  EXPECT_NE(child, demo.pid());
  EXPECT_EQ(lines[3], core::ForkDemoAfterLine(10));
  EXPECT_EQ(demo.stderr_text(), "");
}

}  // namespace
}  // namespace netref::testing

// respawn_policy_test.cc: B1, when a pre-forked pool starts a worker again, and when it stops.
#include "reference/core/respawn_policy.h"

#include <gtest/gtest.h>

namespace netref::core {
namespace {

TEST(B1RespawnPolicy, AWorkerThatLivedIsReplacedAtOnce) {
  // Claim: a death after a second or more of work is no failed start: no pause, no streak.
  RespawnPolicy policy;
  policy.OnDeath(/*started_ms=*/0, /*died_ms=*/5000);
  EXPECT_EQ(policy.next_start_ms(), 5000);
  EXPECT_EQ(policy.failed_in_a_row(), 0);
  EXPECT_FALSE(policy.given_up());
}

TEST(B1RespawnPolicy, FailedStartsDoubleThePauseThenTheyEndThePool) {
  // Claim: each worker that dies within a second of its start doubles the pause before the
  // next start (100, 200, 400, 800 ms), and the fifth in a row gives up.
  RespawnPolicy policy;
  std::int64_t now = 10000;
  for (std::int64_t pause : {100, 200, 400, 800}) {
    policy.OnDeath(now, now + 5);
    EXPECT_EQ(policy.next_start_ms(), now + 5 + pause);
    EXPECT_FALSE(policy.given_up());
    now = policy.next_start_ms();
  }
  policy.OnDeath(now, now + 5);
  EXPECT_EQ(policy.failed_in_a_row(), RespawnPolicy::kMaxFailedStarts);
  EXPECT_TRUE(policy.given_up());
}

TEST(B1RespawnPolicy, ALongLifeClearsTheStreak) {
  // Claim: four failed starts and then a worker that did its work: the streak starts over.
  RespawnPolicy policy;
  for (int i = 0; i < 4; ++i) policy.OnDeath(i * 10, i * 10 + 1);
  EXPECT_EQ(policy.failed_in_a_row(), 4);
  policy.OnDeath(1000, 1000 + RespawnPolicy::kQuickDeathMs);
  EXPECT_EQ(policy.failed_in_a_row(), 0);
  policy.OnDeath(5000, 5001);
  EXPECT_FALSE(policy.given_up());
  EXPECT_EQ(policy.next_start_ms(), 5001 + RespawnPolicy::kFirstPauseMs);
}

TEST(B1RespawnPolicy, FourWorkersDyingAtOnceDoNotPullTheNextStartForward) {
  // Claim: deaths reaped together never move the next start earlier than one already set.
  RespawnPolicy policy;
  policy.OnDeath(0, 10);
  policy.OnDeath(0, 10);
  const std::int64_t after_two = policy.next_start_ms();
  policy.OnDeath(0, 5000);  // A long life, reaped later: a replacement may start at 5000.
  EXPECT_GE(policy.next_start_ms(), after_two);
}

}  // namespace
}  // namespace netref::core

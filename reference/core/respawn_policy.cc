// respawn_policy.cc: the pool's back-off after failed starts. Must not: read a clock.
#include "reference/core/respawn_policy.h"

#include <algorithm>

namespace netref::core {

void RespawnPolicy::OnDeath(std::int64_t started_ms, std::int64_t died_ms) {
  if (died_ms - started_ms >= kQuickDeathMs) {
    failed_in_a_row_ = 0;
    next_start_ms_ = std::max(next_start_ms_, died_ms);  // A replacement may start at once.
    return;
  }
  ++failed_in_a_row_;
  const std::int64_t pause = kFirstPauseMs << std::min(failed_in_a_row_ - 1, kMaxFailedStarts);
  next_start_ms_ = std::max(next_start_ms_, died_ms + pause);
}

}  // namespace netref::core

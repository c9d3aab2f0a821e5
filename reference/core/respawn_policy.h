// respawn_policy.h: when a pre-forked pool may start a worker again after one died, and when it
// must give up (B1), as a pure state machine over times the caller reads from its clock.
//
// A worker that dies soon after it started (kQuickDeath) most likely cannot run at all (it
// cannot arm its death signal, open its epoll set, ...); starting its replacement at once would
// turn the pool into a fork loop that burns a core and floods the log. So each failed start in a
// row doubles the pause before the next one, and after kMaxFailedStarts in a row the pool stops.
// A worker that lived longer clears the streak: its death was the work's, not the start's.
// Must not: read a clock, sleep or fork (the caller does, with the times it is told).
#ifndef NETREF_REFERENCE_CORE_RESPAWN_POLICY_H_
#define NETREF_REFERENCE_CORE_RESPAWN_POLICY_H_

#include <cstdint>

namespace netref::core {

class RespawnPolicy {
 public:
  static constexpr std::int64_t kQuickDeathMs = 1000;  // Died sooner: a failed start.
  static constexpr std::int64_t kFirstPauseMs = 100;   // After the first failed start; then
                                                       // doubled: 100, 200, 400, 800 ms.
  static constexpr int kMaxFailedStarts = 5;           // In a row: the pool gives up.

  // A worker started at `started_ms` died at `died_ms` (the same clock, milliseconds).
  void OnDeath(std::int64_t started_ms, std::int64_t died_ms);

  // The earliest time a new worker may start (every start before the first death: 0).
  std::int64_t next_start_ms() const { return next_start_ms_; }
  // True once kMaxFailedStarts workers in a row died young: start no more.
  bool given_up() const { return failed_in_a_row_ >= kMaxFailedStarts; }
  int failed_in_a_row() const { return failed_in_a_row_; }

 private:
  int failed_in_a_row_ = 0;
  std::int64_t next_start_ms_ = 0;
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_RESPAWN_POLICY_H_

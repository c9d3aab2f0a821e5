// deadline.h: time limits for process tests, stretchable on slow machines.
//
// Every wait in a test has a deadline, so a hung server fails the test instead of hanging CI.
// NETREF_TIME_SCALE (a number, default 1) multiplies every limit: set it to 3 on a loaded
// machine. Deadlines bound waits; they never assert speed.
#ifndef NETREF_HARNESS_SUPPORT_DEADLINE_H_
#define NETREF_HARNESS_SUPPORT_DEADLINE_H_

#include <chrono>

namespace netref::testing {

double TimeScale();

// One step of PollUntil's polling (kept out of line so that this header needs no <unistd.h>).
void SleepAMillisecond();

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  // `limit` from now, times NETREF_TIME_SCALE.
  static Deadline In(std::chrono::milliseconds limit);

  bool expired() const { return Clock::now() >= at_; }
  // Milliseconds left, at least 0, for poll(2).
  int remaining_ms() const;

 private:
  explicit Deadline(Clock::time_point at) : at_(at) {}
  Clock::time_point at_;
};

// Checks `done` every millisecond until it holds (true) or `deadline` passes (false): for state
// that only /proc shows (a pending signal, a child count), where no line or pipe can tell.
template <typename Done>
bool PollUntil(Done done, const Deadline& deadline) {
  while (!done()) {
    if (deadline.expired()) return false;
    SleepAMillisecond();
  }
  return true;
}

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_DEADLINE_H_

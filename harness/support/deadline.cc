// deadline.cc
#include "harness/support/deadline.h"

#include <time.h>

#include <cstdlib>

namespace netref::testing {

double TimeScale() {
  static const double scale = [] {
    const char* text = std::getenv("NETREF_TIME_SCALE");
    const double value = text != nullptr ? std::atof(text) : 1.0;
    return value > 0 ? value : 1.0;
  }();
  return scale;
}

Deadline Deadline::In(std::chrono::milliseconds limit) {
  const auto scaled = std::chrono::duration_cast<Clock::duration>(limit * TimeScale());
  return Deadline(Clock::now() + scaled);
}

void SleepAMillisecond() {
  const timespec step{0, 1000000};
  ::nanosleep(&step, nullptr);
}

int Deadline::remaining_ms() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

}  // namespace netref::testing

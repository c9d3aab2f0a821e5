// traced_test.h: the gtest piece tests of a traced server share (header-only, as server_test.h:
// the support library itself does not link gtest).
//   ExpectStopsWithZero  SIGTERM to the traced program: it exits 0, and strace with it (G5).
#ifndef NETREF_HARNESS_SUPPORT_TRACED_TEST_H_
#define NETREF_HARNESS_SUPPORT_TRACED_TEST_H_

#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "harness/support/deadline.h"
#include "harness/support/traced_program.h"
#include "reference/core/wait_status.h"

namespace netref::testing {

inline void ExpectStopsWithZero(TracedProgram& server) {
  std::optional<core::WaitStatus> status =
      StopTraced(server, Deadline::In(std::chrono::seconds(10)));
  ASSERT_TRUE(status.has_value()) << "still running 10 s after SIGTERM";
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
}

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_TRACED_TEST_H_

// conformance_reference_test.cc: the conformance kit, run against netref's own binaries, passes
// every clause it covers: no failure, no deviation, and no scenario left n/a.
#include <gtest/gtest.h>

#include "harness/conformance/run.h"

namespace netref::conformance {
namespace {

TEST(ConformanceKit, NetrefProgramsPassEveryClause) {
  // netref's seven lecture programs, given as templates the way a user would, all conform.
  Programs programs{};
  const std::string bind = " {port} --bind 127.0.0.1";
  programs[Role::kIterativeServer] = testing::BinPath("tcp_echo_iterative") + bind;
  programs[Role::kForkServer] = testing::BinPath("tcp_echo_fork") + bind;
  programs[Role::kTestClient] = testing::BinPath("tcp_test_client") + " {ip} {port}";
  programs[Role::kChatServer] = testing::BinPath("udp_chat_server") + bind;
  programs[Role::kChatClient] = testing::BinPath("udp_chat_client") + " {ip} {port}";
  programs[Role::kLivesDemo] = testing::BinPath("sig_lives");
  programs[Role::kIgnoreDemo] = testing::BinPath("sig_ignore");
  RunOptions options;
  options.strict = true;
  const Report report = RunAll(programs, options);
  ASSERT_FALSE(report.results.empty());
  for (const Result& r : report.results) {
    EXPECT_EQ(r.outcome.verdict, Verdict::kPass)
        << r.id << " " << RoleName(r.role) << " (" << r.title
        << "): " << VerdictName(r.outcome.verdict) << " " << r.outcome.deviation << " expected "
        << r.outcome.expected << " observed " << r.outcome.observed;
  }
  EXPECT_TRUE(report.Passed());
}

}  // namespace
}  // namespace netref::conformance

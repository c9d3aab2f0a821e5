// g3_console_cut_test.cc: every console line, not only an echo's, fits one atomic pipe write
// (G3: lines of several processes never interleave).
//
// The echo session cuts its own `Client(PORT): ` lines; the console cuts every other line
// itself, such as an error that quotes what the user typed. A line longer than PIPE_BUF would
// go out in pieces that another process's line could split.
#include <gtest/gtest.h>
#include <limits.h>

#include <chrono>
#include <string>

#include "harness/support/deadline.h"
#include "harness/support/subprocess.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

TEST(G3ConsoleCut, AnErrorQuotingALongArgumentIsCutToOnePipeWrite) {
  // Claim: a usage error about a 5000-digit port is one stderr line of at most PIPE_BUF bytes
  // with its newline, marked as cut, and the program still exits 2.
  const std::string port(5000, '9');
  const Finished run = RunToEnd({BinPath("tcp_echo_fork"), port}, Deadline::In(seconds(10)));
  ASSERT_TRUE(run.status.has_value());
  EXPECT_TRUE(run.status->ExitedWith(2)) << core::DescribeWaitStatus(*run.status);
  const std::size_t newline = run.err.find('\n');
  ASSERT_NE(newline, std::string::npos);
  const std::string line = run.err.substr(0, newline);
  EXPECT_LE(line.size() + 1, static_cast<std::size_t>(PIPE_BUF));
  EXPECT_EQ(line.rfind("tcp_echo_fork: port: '999", 0), 0u) << line.substr(0, 80);
  EXPECT_EQ(line.substr(line.size() - 6), " [cut]") << line.substr(line.size() - 80);
}

}  // namespace
}  // namespace netref::testing

// b1_bare_console_test.cc: the benchmark's minimal C counterparts (bench/minimal/) print the
// console netref's servers print under --quiet, so B1's ratios compare two servers of the same
// program: per client `client IP:PORT is connected...` and `Client(PORT): is disconnected`, each
// line once, and none held back while the server waits.
// Skipped where the benchmark is not built (NETREF_BENCH=OFF).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/server_test.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

class BareConsole : public ::testing::TestWithParam<const char*> {};

INSTANTIATE_TEST_SUITE_P(AllCounterparts, BareConsole,
                         ::testing::Values("bench_bare_iterative", "bench_bare_fork",
                                           "bench_bare_prefork", "bench_bare_epoll"));

TEST_P(BareConsole, B1PrintsNetrefsQuietLinesOnceEach) {
  // Claim: for each of 4 clients in turn, the counterpart's connect line is on its console
  // before the client sends a byte, and its disconnect line once the client has closed; after
  // SIGTERM (exit 0) the console holds `listening on` and exactly those lines, each once.
  if (::access(BinPath(GetParam()).c_str(), X_OK) != 0) {
    GTEST_SKIP() << GetParam() << " is not built (NETREF_BENCH=OFF)";
  }
  StartedServer server = StartServer(GetParam());
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  std::vector<std::string> expected;
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE("client " + std::to_string(i));
    TcpPeer client = MustConnect(server);
    const Deadline deadline = Deadline::In(seconds(5));
    const std::string port = std::to_string(client.local().port);
    const std::string connected = "client 127.0.0.1:" + port + " is connected...";
    const std::string disconnected = "Client(" + port + "): is disconnected";
    ASSERT_TRUE(server.process.WaitForLine([&](const std::string& l) { return l == connected; },
                                           deadline));
    ASSERT_EQ(RoundTrip(client, "bare", deadline), "bare");
    client.Close();
    ASSERT_TRUE(server.process.WaitForLine(
        [&](const std::string& l) { return l == disconnected; }, deadline));
    expected.insert(expected.end(), {connected, disconnected});
  }
  server.process.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.process.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  (void)server.process.ReadStdoutToEof(Deadline::In(seconds(5)));
  std::map<std::string, int> count;
  for (const std::string& line : server.process.lines()) ++count[line];
  for (const std::string& line : expected) EXPECT_EQ(count[line], 1) << line;
  EXPECT_EQ(server.process.lines().size(), expected.size() + 1);  // And `listening on`.
}

}  // namespace
}  // namespace netref::testing

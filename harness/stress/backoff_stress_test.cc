// backoff_stress_test.cc: the accept back-off is a deadline, not a wait that anything can end
// or extend (T3; the accept-errno policy of every TCP server).
//
// The fault is real: the live server's RLIMIT_NOFILE is lowered below its reserve fd
// (fd_faults.h), so accept fails with EMFILE and the reserve cannot be reopened either; a
// client waiting in the backlog keeps the listener readable. Every failed attempt is logged
// (`accept: Too many open files: backing off`), so the test counts the server's attempts on its
// stderr. Two ways to get the policy wrong are tried: traffic that wakes the loop during a
// back-off (the listener must still be re-armed when the deadline passes), and a storm of
// signals (each wake-up must not start an attempt of its own).
// Must not: signal or re-limit any process but the server it started.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "harness/stress/stress_common.h"
#include "harness/support/fd_faults.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kBackOffLine = "Too many open files: backing off";

int CountOf(const std::string& text, std::string_view what) {
  int count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

int BackOffs(Subprocess& server) {
  server.PumpNow();
  return CountOf(server.stderr_text(), kBackOffLine);
}

// Puts `server` out of fds with no reserve to shed with: the limit is the reserve's number.
rlimit StarveOfFds(pid_t pid) {
  const int reserve = ReserveFd(pid);
  EXPECT_GT(reserve, 2) << "no reserve fd found";
  return LimitFds(pid, std::min(reserve, LowestFreeFd(pid)));
}

TEST(T3AcceptBackOff, EpollServerAcceptsAgainAfterABackOffThatTrafficWokeUp) {
  // Claim: while accept keeps failing (EMFILE, no reserve), a client that echoes without pause
  // wakes the epoll server's loop during every back-off, and still the server retries accept
  // after each one (three back-off lines); once fds are free again, the client that waited in
  // the backlog and a new one are both served.
  StartedServer server = StartServer("tcp_echo_epoll");
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  const pid_t pid = server.process.pid();
  std::optional<TcpPeer> chatty = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(chatty.has_value());
  ASSERT_EQ(RoundTrip(*chatty, "before", Deadline::In(seconds(5))), "before");

  const rlimit old = StarveOfFds(pid);
  std::optional<TcpPeer> waiting = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(waiting.has_value());
  const Deadline fault = Deadline::In(seconds(5));
  int round_trips = 0;
  while (BackOffs(server.process) < 3 && !fault.expired()) {
    ASSERT_EQ(RoundTrip(*chatty, "during", Deadline::In(seconds(5))), "during");
    ++round_trips;
  }
  const int backoffs = BackOffs(server.process);
  std::printf("[ measure ] %d back-offs during %d round trips of the chatty client\n", backoffs,
              round_trips);
  EXPECT_GE(backoffs, 3) << "the listener was not re-armed after a back-off with traffic";
  RestoreFds(pid, old);

  EXPECT_EQ(RoundTrip(*waiting, "waited", Deadline::In(seconds(5))),
            std::optional<std::string>("waited"))
      << "the client that waited through the fault is never served";
  EXPECT_TRUE(StillAnswers(server.endpoint)) << "a new client is never served";
  EXPECT_TRUE(StopsCleanly(server.process));
}

// Counts the back-off lines over `window` while `during` runs in a loop; the rate per second.
template <typename During>
double BackOffRate(Subprocess& server, milliseconds window, During during) {
  const int before = BackOffs(server);
  const Clock::time_point start = Clock::now();
  const Deadline until = Deadline::In(window);
  for (int i = 0; !until.expired(); ++i) {
    during();
    if (i % 64 == 0) server.PumpNow();
  }
  const double seconds_taken = std::chrono::duration<double>(Clock::now() - start).count();
  return (BackOffs(server) - before) / seconds_taken;
}

TEST(T3AcceptBackOff, ASignalStormDoesNotShortenTheBackOff) {
  // Claim: a fork server backing off from EMFILE retries accept at the same rate whether or not
  // a storm of SIGCHLDs wakes its loop meanwhile: each wake-up goes back to waiting for the
  // back-off's deadline instead of trying accept again (a retry per signal would be thousands).
  StartedServer server = StartServer("tcp_echo_fork");
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  const pid_t pid = server.process.pid();
  const rlimit old = StarveOfFds(pid);
  std::optional<TcpPeer> waiting = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(waiting.has_value());
  ASSERT_TRUE(Eventually([&] { return BackOffs(server.process) > 0; }, milliseconds(5000)));

  const double cpu_quiet_start = CpuSeconds(pid);
  const double quiet = BackOffRate(server.process, milliseconds(1000), [] { ::usleep(1000); });
  const double cpu_quiet = CpuSeconds(pid) - cpu_quiet_start;
  int signals = 0;
  const double cpu_storm_start = CpuSeconds(pid);
  const double storm = BackOffRate(server.process, milliseconds(1000), [&] {
    ::kill(pid, SIGCHLD);
    ++signals;
  });
  const double cpu_storm = CpuSeconds(pid) - cpu_storm_start;
  std::printf(
      "[ measure ] accept retries during a back-off: %.1f/s quiet (%.3f CPU s), %.1f/s under %d "
      "SIGCHLDs (%.3f CPU s)\n",
      quiet, cpu_quiet, storm, signals, cpu_storm);
  EXPECT_GT(quiet, 0) << "no retry at all while backing off";
  EXPECT_LE(storm, 2 * quiet + 3) << "signals shorten the back-off";
  EXPECT_TRUE(IsAlive(pid));

  RestoreFds(pid, old);
  EXPECT_EQ(RoundTrip(*waiting, "waited", Deadline::In(seconds(5))),
            std::optional<std::string>("waited"));
  EXPECT_TRUE(NoZombiesWithin(pid, milliseconds(1000)));
  EXPECT_TRUE(StopsCleanly(server.process));
}

}  // namespace
}  // namespace netref::testing

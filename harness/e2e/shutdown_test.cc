// shutdown_test.cc: every way a forking server ends leaves no child behind, and a server that
// is stopping accepts nothing more (G5, T3, T4, B1).
//
// A child that SIGSTOP holds cannot die of SIGTERM, so it keeps the server in its 2 s shutdown
// grace for as long as the test needs: the test waits (on /proc, never on a sleep) until the
// server has sent that child its SIGTERM, and then looks at the listening port. Faults come from
// strace's injection, with strace as the spawned program and the server as its only child. The
// test process is a child subreaper, so a child the server orphans is reparented here, where
// the test can see it and end it.
// Must not: signal any process the test did not start (or that its servers did not fork).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/server_test.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Ends and reaps whatever was reparented to this test: a child that a server orphaned (or,
// after a failed test, a server that a killed strace left behind), and then their children.
// Called after each test body, when every Subprocess the body started is already reaped, so
// the children of this process are exactly such orphans.
void EndOrphans() {
  for (int pass = 0; pass < 100; ++pass) {
    const std::vector<ProcInfo> orphans = ChildrenOf(::getpid());
    if (orphans.empty()) return;
    for (const ProcInfo& orphan : orphans) {
      ::kill(orphan.pid, SIGKILL);
      int raw = 0;
      ::waitpid(orphan.pid, &raw, 0);
    }
  }
}

class Subreaper : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); }
};
const ::testing::Environment* const kSubreaper = ::testing::AddGlobalTestEnvironment(new Subreaper);

// Every test here ends by sweeping up orphans, passed or failed.
class OrphanSweep : public ::testing::Test {
 protected:
  void TearDown() override { EndOrphans(); }
};
class G5Shutdown : public OrphanSweep {};
class B1PreforkRespawn : public OrphanSweep {};

// The server's child that serves `client`: the one that appeared when it connected.
std::optional<pid_t> NewChild(pid_t server, const std::vector<ProcInfo>& before) {
  for (const ProcInfo& child : ChildrenOf(server)) {
    bool known = false;
    for (const ProcInfo& old : before) known = known || old.pid == child.pid;
    if (!known) return child.pid;
  }
  return std::nullopt;
}

class StoppingServer : public ::testing::TestWithParam<const char*> {
 protected:
  void TearDown() override { EndOrphans(); }
};

INSTANTIATE_TEST_SUITE_P(ForkingServers, StoppingServer,
                         ::testing::Values("tcp_echo_fork", "tcp_echo_prefork"));

TEST_P(StoppingServer, G5ListenerIsClosedBeforeTheGraceStarts) {
  // Claim: once the server has sent its children SIGTERM (the grace has begun), nothing listens
  // on its port any more and a new client is refused, even while a stopped child keeps the
  // grace going; then the server still ends that child and exits 0.
  StartedServer server = StartServer(GetParam());
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  const pid_t pid = server.process.pid();
  const std::vector<ProcInfo> before = ChildrenOf(pid);
  TcpPeer client = MustConnect(server);
  ASSERT_EQ(RoundTrip(client, "served", Deadline::In(seconds(5))), "served");
  // The fork server's child for this client; a prefork worker (all were there before it).
  std::optional<pid_t> held = NewChild(pid, before);
  if (!held && !before.empty()) held = before.front().pid;
  ASSERT_TRUE(held.has_value());
  ASSERT_EQ(::kill(*held, SIGSTOP), 0);
  ASSERT_TRUE(PollUntil([&] { return ReadProc(*held) && ReadProc(*held)->state == 'T'; },
                        Deadline::In(milliseconds(5000))));

  server.process.Signal(SIGTERM);
  ASSERT_TRUE(
      PollUntil([&] { return SignalPending(*held, SIGTERM); }, Deadline::In(milliseconds(5000))))
      << "the server never sent its stopped child SIGTERM";
  EXPECT_FALSE(SomeoneListensOn(server.endpoint.port)) << "still listening during the grace";
  std::optional<TcpPeer> late = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(2)));
  EXPECT_FALSE(late.has_value()) << "a connection was accepted by a stopping server";

  std::optional<core::WaitStatus> status = server.process.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
  EXPECT_FALSE(IsAlive(*held));
}

TEST_F(G5Shutdown, FatalAcceptErrorStillEndsAndReapsEveryChild) {
  // Claim: when accept fails with an error that ends the fork server (EINVAL, injected from the
  // second call on), the server exits 1 and takes its live child with it: that child's client
  // reads EOF and no process of the server is left anywhere.
  Subprocess strace =
      Subprocess::Start({"/usr/bin/strace", "-o", "/dev/null", "-e", "trace=accept4", "-e",
                         "inject=accept4:error=EINVAL:when=2+", BinPath("tcp_echo_fork"), "0",
                         "--bind", "127.0.0.1"});
  std::optional<std::string> listening =
      strace.WaitForLineStartingWith("listening on ", Deadline::In(seconds(10)));
  ASSERT_TRUE(listening.has_value()) << strace.stderr_text();
  const core::Endpoint endpoint{
      core::kLoopbackAddress,
      static_cast<std::uint16_t>(std::stoi(listening->substr(listening->rfind(':') + 1)))};
  std::vector<ProcInfo> under_strace = ChildrenOf(strace.pid());
  ASSERT_EQ(under_strace.size(), 1u);
  const pid_t server = under_strace[0].pid;

  std::optional<TcpPeer> first = TcpPeer::Connect(endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(first.has_value());
  // The first accept forks a child for `first`; the next accept (now, or when a second client
  // comes) fails for good.
  std::optional<TcpPeer> second = TcpPeer::Connect(endpoint, Deadline::In(seconds(1)));
  std::optional<core::WaitStatus> status = strace.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value()) << "the server outlived a fatal accept error";
  EXPECT_TRUE(status->ExitedWith(1)) << core::DescribeWaitStatus(*status);
  EXPECT_NE(strace.stderr_text().find("accept: Invalid argument"), std::string::npos)
      << strace.stderr_text();
  // The child that served `first` is gone: its client reads EOF, not silence.
  EXPECT_EQ(first->ReceiveToEof(Deadline::In(seconds(5))), std::optional<std::string>(""))
      << "the served client's child is still alive";
  EXPECT_TRUE(PollUntil([&] { return ChildrenOf(::getpid()).empty() && !IsAlive(server); },
                        Deadline::In(milliseconds(3000))))
      << "a child of the server was orphaned";
}

TEST_F(G5Shutdown, SigintToTheWholeProcessGroupLogsNoExpectedDeath) {
  // Claim: Ctrl-C in a terminal sends SIGINT to the server and to every child at once; the
  // children's deaths by SIGINT are the expected ones and are not logged as unusual, and the
  // server exits 0. Five rounds with three live children each, as the race differs per run.
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    SpawnOptions options;
    options.new_process_group = true;
    Subprocess server =
        Subprocess::Start({BinPath("tcp_echo_fork"), "0", "--bind", "127.0.0.1"}, options);
    std::optional<std::string> listening =
        server.WaitForLineStartingWith("listening on ", Deadline::In(seconds(10)));
    ASSERT_TRUE(listening.has_value()) << server.stderr_text();
    const core::Endpoint endpoint{
        core::kLoopbackAddress,
        static_cast<std::uint16_t>(std::stoi(listening->substr(listening->rfind(':') + 1)))};
    std::vector<TcpPeer> clients;
    for (int i = 0; i < 3; ++i) {
      std::optional<TcpPeer> peer = TcpPeer::Connect(endpoint, Deadline::In(seconds(5)));
      ASSERT_TRUE(peer.has_value());
      ASSERT_EQ(RoundTrip(*peer, "here", Deadline::In(seconds(5))), "here");
      clients.push_back(std::move(*peer));
    }
    ASSERT_EQ(ChildrenOf(server.pid()).size(), 3u);
    ASSERT_EQ(::kill(-server.pid(), SIGINT), 0);  // The group the server leads: only ours.
    std::optional<core::WaitStatus> status = server.Wait(Deadline::In(seconds(10)));
    ASSERT_TRUE(status.has_value());
    EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
    EXPECT_EQ(server.stderr_text().find("killed by SIGINT"), std::string::npos)
        << server.stderr_text();
  }
}

TEST_F(B1PreforkRespawn, WorkersThatDieAtStartEndTheServerNotARespawnLoop) {
  // Claim: when every worker dies as it starts (its PR_SET_PDEATHSIG fails: injected EPERM,
  // so it cannot promise to die with the parent), the pre-forked server does not respawn
  // forever: it gives up after a bounded number of failed starts, says why, exits 1, and
  // leaves no process behind.
  Subprocess strace = Subprocess::Start({"/usr/bin/strace", "-f", "-o", "/dev/null", "-e",
                                         "trace=prctl", "-e", "inject=prctl:error=EPERM",
                                         BinPath("tcp_echo_prefork"), "0", "--bind", "127.0.0.1"});
  std::optional<core::WaitStatus> status = strace.Wait(Deadline::In(seconds(20)));
  ASSERT_TRUE(status.has_value()) << "the server respawns dying workers forever:\n"
                                  << strace.stderr_text().substr(0, 2000);
  EXPECT_TRUE(status->ExitedWith(1)) << core::DescribeWaitStatus(*status);
  const std::string errors = strace.stderr_text();
  EXPECT_NE(errors.find("prctl"), std::string::npos) << errors;
  EXPECT_NE(errors.find("giving up"), std::string::npos) << errors;
  EXPECT_TRUE(
      PollUntil([&] { return ChildrenOf(::getpid()).empty(); }, Deadline::In(milliseconds(3000))));
}

}  // namespace
}  // namespace netref::testing

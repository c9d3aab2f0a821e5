// b2_cap_test.cc: at the --max-children cap the fork server neither accepts nor spins (B2).
//
// At the cap the listener leaves the server's epoll set, so a client waiting in the backlog
// does not wake the server: it sleeps in epoll_wait until a child ends. A server that kept the
// listener in the set would find it readable at every wait and spin at full CPU without
// accepting. Asserted on /proc (the server's state and the call it sleeps in), not on CPU time.
// Must not: signal any process the test did not start.
#include <gtest/gtest.h>
#include <sys/syscall.h>

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

using std::chrono::seconds;

// Asleep (not runnable) in epoll_wait, or in the epoll_pwait variants glibc may use.
bool SleepsInEpoll(pid_t pid) {
  const std::optional<ProcInfo> info = ReadProc(pid);
  const std::optional<long> call = BlockedSyscall(pid);
  return info && info->state == 'S' &&
         (call == SYS_epoll_wait || call == SYS_epoll_pwait || call == SYS_epoll_pwait2);
}

TEST(B2Cap, AtTheCapTheServerSleepsWhileAClientWaits) {
  // Claim: with --max-children 2, two clients in service and a third in the backlog, the fork
  // server sleeps in epoll_wait (it does not spin on the waiting client) and leaves the third
  // unaccepted; when one of the two leaves, the third is served.
  StartedServer server = StartServer("tcp_echo_fork", {"--max-children", "2", "--quiet"});
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  const pid_t pid = server.process.pid();
  std::vector<TcpPeer> served;
  for (int i = 0; i < 2; ++i) {
    served.push_back(MustConnect(server));
    ASSERT_EQ(RoundTrip(served.back(), "served", Deadline::In(seconds(5))), "served");
  }
  TcpPeer waiting = MustConnect(server);
  ASSERT_TRUE(PollUntil([&] { return AcceptQueueOf(server) == 1; }, Deadline::In(seconds(5))))
      << "the third client is not in the backlog";
  EXPECT_TRUE(PollUntil([&] { return SleepsInEpoll(pid); }, Deadline::In(seconds(5))))
      << "at the cap, with a client in the backlog, the server never sleeps: it spins";
  EXPECT_TRUE(WaitsUnaccepted(server, waiting));
  EXPECT_EQ(ChildrenOf(pid).size(), 2u);

  served.front().Close();
  EXPECT_EQ(RoundTrip(waiting, "third", Deadline::In(seconds(5))), "third");
}

}  // namespace
}  // namespace netref::testing

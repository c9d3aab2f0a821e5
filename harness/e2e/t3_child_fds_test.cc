// t3_child_fds_test.cc: what a server's forked child holds open (T3, B1).
//
// A fork server's child serves one client: it must hold that client's socket and none of the
// parent's machinery: not the listener (a child holding it keeps the port busy after the
// parent exits, and could accept), not the parent's epoll set, not the signal bridge's
// eventfds. A pre-forked worker shares the listener by design, but not the supervisor's epoll
// set. Asserted on /proc/PID/fd and /proc/PID/net/tcp, while the child is serving.
// Must not: signal any process the test did not start (or that its servers did not fork).
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/server_test.h"
#include "harness/support/socket_state.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

// Each of `pid`'s fds: its number and what it is (the target of /proc/PID/fd/N: "socket:[N]",
// "pipe:[N]", "anon_inode:[eventpoll]", a path, ...).
std::vector<std::pair<std::string, std::string>> Fds(pid_t pid) {
  std::vector<std::pair<std::string, std::string>> fds;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) return fds;
  while (const dirent* entry = ::readdir(listing)) {
    if (entry->d_name[0] == '.') continue;
    char target[PATH_MAX];
    const ssize_t n = ::readlink((dir + "/" + entry->d_name).c_str(), target, sizeof target);
    if (n > 0) fds.emplace_back(entry->d_name, std::string(target, static_cast<std::size_t>(n)));
  }
  ::closedir(listing);
  return fds;
}

std::vector<std::string> FdTargets(pid_t pid) {
  std::vector<std::string> targets;
  for (const auto& [fd, target] : Fds(pid)) targets.push_back(target);
  return targets;
}

int CountOf(const std::vector<std::string>& targets, const std::string& kind) {
  int count = 0;
  for (const std::string& target : targets) count += target == kind;
  return count;
}

std::string Join(const std::vector<std::string>& targets) {
  std::string all;
  for (const std::string& target : targets) all += target + " ";
  return all;
}

// The open-file flags of each of `pid`'s sockets (the `flags:` line of /proc/PID/fdinfo/N, in
// octal), so a test can tell a blocking socket from a non-blocking one.
std::vector<int> SocketFlags(pid_t pid) {
  std::vector<int> flags;
  for (const auto& [fd, target] : Fds(pid)) {
    if (target.rfind("socket:", 0) != 0) continue;
    std::ifstream info("/proc/" + std::to_string(pid) + "/fdinfo/" + fd);
    for (std::string key; info >> key;) {
      if (key == "flags:") {
        std::string octal;
        info >> octal;
        flags.push_back(static_cast<int>(std::stol(octal, nullptr, 8)));
        break;
      }
    }
  }
  return flags;
}

TEST(T3ForkChild, HoldsItsClientAndNoneOfTheParentsFds) {
  // Claim: while it serves a client, the fork server's child holds that client's connection
  // and no other TCP socket (no listener), no epoll set and no eventfd.
  StartedServer server = StartServer("tcp_echo_fork");
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  TcpPeer client = MustConnect(server);
  ASSERT_EQ(RoundTrip(client, "held", Deadline::In(seconds(5))), "held");
  const std::vector<ProcInfo> children = ChildrenOf(server.process.pid());
  ASSERT_EQ(children.size(), 1u);
  const pid_t child = children[0].pid;

  EXPECT_TRUE(ListeningEndpointsOf(child).empty()) << "the child holds the listener";
  const std::vector<TcpSocket> sockets = TcpSocketsOf(child);
  ASSERT_EQ(sockets.size(), 1u) << "the child holds TCP sockets besides its client's";
  EXPECT_EQ(sockets[0].remote.port, client.local().port);
  const std::vector<std::string> fds = FdTargets(child);
  EXPECT_EQ(CountOf(fds, "anon_inode:[eventpoll]"), 0) << Join(fds);
  EXPECT_EQ(CountOf(fds, "anon_inode:[eventfd]"), 0) << Join(fds);
  // The parent, for contrast: its listener, its epoll set, the bridge's two eventfds.
  const std::vector<std::string> parent = FdTargets(server.process.pid());
  EXPECT_EQ(CountOf(parent, "anon_inode:[eventpoll]"), 1) << Join(parent);
  EXPECT_EQ(CountOf(parent, "anon_inode:[eventfd]"), 2) << Join(parent);
}

bool WaitsInAccept(pid_t pid) {
  const std::optional<long> call = BlockedSyscall(pid);
  return call == SYS_accept4 || call == SYS_accept;
}

TEST(B1PreforkWorker, SharesTheListenerButNotTheSupervisorsEpollSet) {
  // Claim: each pre-forked worker waits in accept on the shared listener, which is blocking (so
  // the kernel hands a connection to one waiting worker, and an idle worker sleeps: a
  // non-blocking accept would spin), and holds exactly one epoll set (its own, where a back-off
  // waits) and none of the supervisor's signal eventfds.
  StartedServer server = StartServer("tcp_echo_prefork", {"--workers", "2"});
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  ASSERT_TRUE(PollUntil([&] { return ChildrenOf(server.process.pid()).size() == 2; },
                        Deadline::In(seconds(5))));
  for (const ProcInfo& worker : ChildrenOf(server.process.pid())) {
    SCOPED_TRACE("worker " + std::to_string(worker.pid));
    // A worker sets up its own set right after the fork: wait until it waits for a client.
    ASSERT_TRUE(PollUntil([&] { return WaitsInAccept(worker.pid); }, Deadline::In(seconds(5))));
    EXPECT_EQ(ListeningEndpointsOf(worker.pid).size(), 1u);
    const std::vector<int> sockets = SocketFlags(worker.pid);
    ASSERT_EQ(sockets.size(), 1u) << "an idle worker holds the listener, and no other socket";
    EXPECT_EQ(sockets[0] & O_NONBLOCK, 0) << "the listener is non-blocking";
    const std::vector<std::string> fds = FdTargets(worker.pid);
    EXPECT_EQ(CountOf(fds, "anon_inode:[eventpoll]"), 1) << Join(fds);
    EXPECT_EQ(CountOf(fds, "anon_inode:[eventfd]"), 0) << Join(fds);
  }
}

}  // namespace
}  // namespace netref::testing

// chat_client_stress_test.cc: many forking chat clients (udp_chat_client) on one chat server,
// all talking at once, then ended by every path at once: END, stdin EOF, SIGKILL to the parent
// (C7). Whatever the path, neither of a client's two processes may be left behind.
//
// The test process is a child subreaper (as in harness/e2e/chat_client_test.cc): a receiver
// whose client parent died is re-parented to the test, not to init, so the test can tell
// "reaped by its own parent" (END, EOF) from "orphaned, then killed by PR_SET_PDEATHSIG"
// (SIGKILL), and reaps those orphans itself. Sizes come from the profile (stress_common.h).
// Must not: signal any process but the clients it started, or write to a client it has ended
// (the test does not ignore SIGPIPE, so that the clients it spawns inherit the default).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "harness/stress/stress_common.h"
#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/udp_peer.h"
#include "reference/core/chat_wire.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// How a client is ended: a third of the clients each.
enum class Ending { kEnd, kEof, kSigkill };
Ending EndingOf(std::size_t i) { return static_cast<Ending>(i % 3); }

Subprocess StartClient(const core::Endpoint& server) {
  return Subprocess::Start(
      {BinPath("udp_chat_client"), core::FormatIpv4(server.address), std::to_string(server.port)},
      SpawnOptions{/*pipe_stdin=*/true});
}

// Drains every datagram the watcher holds right now (the load must not overflow its buffer,
// or a later bounded wait for one payload would miss it); returns how many it took.
int DrainNow(UdpPeer& peer) {
  int n = 0;
  while (peer.Receive(Deadline::In(milliseconds(0)))) ++n;
  return n;
}

// Waits (bounded) for the watcher to receive `payload`, draining everything before it.
bool WatcherHears(UdpPeer& watcher, const std::string& payload, int& received) {
  const Deadline deadline = Deadline::In(seconds(5));
  while (std::optional<Datagram> datagram = watcher.Receive(deadline)) {
    ++received;
    if (datagram->bytes == payload) return true;
  }
  return false;
}

// Every stdout line a client has buffered so far: one per message relayed to it (the server's
// prefix datagram has no newline, its payload does).
int CountHeardLines(Subprocess& client) {
  client.PumpNow();
  int n = 0;
  while (client.ReadLine(Deadline::In(milliseconds(0)))) ++n;
  return n;
}

// Gives every process's output a turn for `span`, so no pipe or socket buffer fills up.
void PumpAll(std::vector<Subprocess>& clients, StartedServer& server, UdpPeer& watcher,
             int& watcher_received, std::vector<int>& heard, milliseconds span) {
  const Deadline deadline = Deadline::In(span);
  do {
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (clients[i].running()) heard[i] += CountHeardLines(clients[i]);
    }
    server.process.PumpNow();
    watcher_received += DrainNow(watcher);
    ::usleep(1000);
  } while (!deadline.expired());
}

// True if `receiver` was reaped by its own parent: it never came to the test (the subreaper).
bool ReapedByItsParent(pid_t receiver) {
  int raw = 0;
  const pid_t reaped = ::waitpid(receiver, &raw, WNOHANG);  // Reaps it if it did come to us.
  return reaped < 0 && errno == ECHILD;
}

TEST(C7ChatClientStress, MixedEndingsUnderLoadLeaveNoProcessBehind) {
  // Claim: 30 chat clients (200 in the long profile) on one server all send 20 lines each that
  // the others receive; then, while lines still flow, a third are ended by END, a third by stdin
  // EOF and a third by SIGKILL to the parent. Within a bounded time every END/EOF client exits
  // 0 having reaped its own receiver, every SIGKILLed one dies by SIGKILL and its orphaned
  // receiver dies by SIGKILL too (PR_SET_PDEATHSIG); no zombie child of the test remains, and
  // the server is still alive and relays between two fresh peers.
  const std::size_t kClients = static_cast<std::size_t>(ByProfile(30, 200));
  const int kRounds = ByProfile(20, 20);
  const auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);

  // C2: a full list drops new senders. Room for every client, the watcher and the two fresh
  // peers at the end (64 covers the short profile; the long one needs more).
  const std::size_t capacity = std::max<std::size_t>(64, kClients + 3);
  StartedServer server =
      StartServer("udp_chat_server", {"--quiet", "--max-clients", std::to_string(capacity)});
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  const pid_t server_pid = server.process.pid();

  // The watcher is listed first and hears every client's lines: it tells when a client is up.
  std::optional<UdpPeer> watcher = UdpPeer::Bind();
  ASSERT_TRUE(watcher);
  ASSERT_TRUE(watcher->SendTo(server.endpoint, "watcher\n"));
  int watcher_received = 0;

  // Start the clients one by one. A client sends only after it has forked, so once the watcher
  // has heard its join line its receiver exists: the one child of its pid.
  std::vector<Subprocess> clients;
  std::vector<pid_t> receivers;
  std::vector<int> heard(kClients, 0);
  clients.reserve(kClients);
  for (std::size_t i = 0; i < kClients; ++i) {
    clients.push_back(StartClient(server.endpoint));
    const std::string join = "join " + std::to_string(i) + "\n";
    ASSERT_TRUE(clients[i].WriteStdin(join));
    ASSERT_TRUE(WatcherHears(*watcher, join, watcher_received))
        << "client " << i << " never reached the server: " << clients[i].stderr_text();
    const std::vector<ProcInfo> below = ChildrenOf(clients[i].pid());
    ASSERT_EQ(below.size(), 1u) << "client " << i << " has not exactly one child";
    receivers.push_back(below[0].pid);
    heard[i] += CountHeardLines(clients[i]);  // Earlier clients' buffers fill as joins come in.
  }

  // The load: every client sends a line per round, each relayed to all the others.
  int lines_sent = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (std::size_t i = 0; i < kClients; ++i) {
      ASSERT_TRUE(clients[i].WriteStdin("round " + std::to_string(round) + " from " +
                                        std::to_string(i) + "\n"));
      ++lines_sent;
    }
    PumpAll(clients, server, *watcher, watcher_received, heard, milliseconds(30));
  }
  for (std::size_t i = 0; i < kClients; ++i) {
    // UDP may drop some under load (not asserted), but every client hears the others.
    EXPECT_GT(heard[i], 0) << "client " << i << " heard nothing";
  }

  // The endings, under load: just before client i is ended, the next client (not yet ended)
  // sends a line that the server relays to everyone, client i included.
  for (std::size_t i = 0; i < kClients; ++i) {
    if (i + 1 < kClients) {
      ASSERT_TRUE(clients[i + 1].WriteStdin("last words before " + std::to_string(i) + "\n"));
      ++lines_sent;
    }
    switch (EndingOf(i)) {
      case Ending::kEnd:
        ASSERT_TRUE(clients[i].WriteStdin("END\n"));
        break;
      case Ending::kEof:
        clients[i].CloseStdin();
        break;
      case Ending::kSigkill:
        clients[i].Signal(SIGKILL);
        break;
    }
    server.process.PumpNow();
    watcher_received += DrainNow(*watcher);
  }

  // Every client's parent has ended, as its path says (Wait drains its pipes meanwhile).
  const Deadline end_deadline = Deadline::In(seconds(20));
  for (std::size_t i = 0; i < kClients; ++i) {
    std::optional<core::WaitStatus> status = clients[i].Wait(end_deadline);
    ASSERT_TRUE(status) << "client " << i << " still running";
    if (EndingOf(i) == Ending::kSigkill) {
      EXPECT_TRUE(status->KilledBy(SIGKILL)) << i << ": " << core::DescribeWaitStatus(*status);
    } else {
      EXPECT_TRUE(status->ExitedWith(0)) << i << ": " << core::DescribeWaitStatus(*status);
    }
  }

  // Every receiver is gone: reaped by its parent (END, EOF), or orphaned to the test and
  // killed by SIGKILL (PR_SET_PDEATHSIG), which the test reaps here.
  int reaped_by_parent = 0, killed_orphans = 0;
  for (std::size_t i = 0; i < kClients; ++i) {
    const pid_t receiver = receivers[i];
    if (!Eventually([&] { return !IsAlive(receiver); }, milliseconds(5000))) {
      ADD_FAILURE() << "client " << i << " left its receiver " << receiver << " running";
      // A process this test's client started, by its recorded pid: end it, so that a failing
      // run leaves no orphan blocked in recvfrom forever (it came to the test, which reaps it).
      ::kill(receiver, SIGKILL);
      Eventually([&] { return !IsAlive(receiver); }, milliseconds(5000));
    }
    if (EndingOf(i) != Ending::kSigkill) {
      const bool reaped = ReapedByItsParent(receiver);
      EXPECT_TRUE(reaped) << "client " << i << " exited without reaping " << receiver;
      reaped_by_parent += reaped ? 1 : 0;
      continue;
    }
    int raw = 0;
    // Not alive, so a zombie: WNOHANG reaps it at once.
    const pid_t reaped = ::waitpid(receiver, &raw, WNOHANG);
    EXPECT_EQ(reaped, receiver) << "client " << i << "'s receiver did not come to the test";
    if (reaped != receiver) continue;
    const bool killed = core::DecodeWaitStatus(raw).KilledBy(SIGKILL);
    EXPECT_TRUE(killed) << i << ": " << core::DescribeWaitStatus(core::DecodeWaitStatus(raw));
    killed_orphans += killed ? 1 : 0;
  }

  // No zombie below the test, and no process but the server.
  EXPECT_TRUE(ZombieChildrenOf(::getpid()).empty())
      << ZombieChildrenOf(::getpid()).size() << " zombie children of the test";
  const std::vector<ProcInfo> children = ChildrenOf(::getpid());
  ASSERT_EQ(children.size(), 1u) << children.size() << " children of the test";
  EXPECT_EQ(children[0].pid, server_pid);

  // The server is alive and still relays: one fresh peer's line reaches another, prefixed.
  ASSERT_TRUE(IsAlive(server_pid));
  std::optional<UdpPeer> first = UdpPeer::Bind(), second = UdpPeer::Bind();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->SendTo(server.endpoint, "first\n"));
  ASSERT_TRUE(second->SendTo(server.endpoint, "second\n"));
  const Deadline relay_deadline = Deadline::In(seconds(5));
  std::optional<Datagram> prefix = first->Receive(relay_deadline);
  std::optional<Datagram> payload = first->Receive(relay_deadline);
  ASSERT_TRUE(prefix && payload) << "the server no longer relays";
  EXPECT_EQ(prefix->bytes, core::FormatChatPrefix(second->local()));
  EXPECT_EQ(payload->bytes, "second\n");

  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  int total_heard = 0;
  for (int n : heard) total_heard += n;
  std::printf(
      "[ measure ] chat stress: %zu clients (%d END/EOF reaped by parent, %d SIGKILL "
      "orphans killed), %d lines sent, %d relayed lines heard by clients, %d datagrams "
      "at the watcher, %.2f s wall\n",
      kClients, reaped_by_parent, killed_orphans, lines_sent, total_heard, watcher_received, wall);

  EXPECT_TRUE(StopsCleanly(server.process));
  server.process.PumpNow();
  EXPECT_EQ(server.process.stderr_text(), "");
}

}  // namespace
}  // namespace netref::testing

// echo_server_property_test.cc: T1-T4's laws on the real servers: for random sequences of
// clients (1..6, messages over the 8191-byte buffer, each write cut at random, an orderly close
// or a reset, a reset with its echo unread), every echo is exact, every client's session ends
// with one `is disconnected` line, and afterwards the server has no zombie, no child left and
// as many open fds as before.
//
// Each case starts its own server (tcp_echo_fork or tcp_echo_iterative, on 127.0.0.1 port 0,
// --quiet) and ends it with SIGTERM, expecting exit 0. The iterative server serves one client
// at a time, so its clients run one after another; the fork server's are all connected at once
// and take turns. Every wait has a deadline. Must not: fork (Subprocess spawns), or signal any
// process but the server it started.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/property/generators.h"
#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "reference/core/console_lines.h"
#include "reference/core/echo_session.h"

namespace netref::testing {
namespace {

using namespace std::chrono_literals;
using property::ByteString;
using property::Cut;
using property::PiecePattern;

enum class Ending { kClose, kReset, kResetWithEchoUnread };

struct ClientPlan {
  std::vector<std::string> messages;  // Each non-empty; sent in turn, each echo read back.
  std::vector<std::size_t> writes;    // How each message is cut into send calls.
  Ending ending = Ending::kClose;
};

void showValue(Ending ending, std::ostream& os) {
  os << (ending == Ending::kClose ? "close" : ending == Ending::kReset ? "reset"
                                                                      : "reset with echo unread");
}

}  // namespace
}  // namespace netref::testing

namespace rc {
template <>
struct Arbitrary<netref::testing::ClientPlan> {
  static Gen<netref::testing::ClientPlan> arbitrary() {
    using netref::testing::ClientPlan;
    using netref::testing::Ending;
    return gen::build<ClientPlan>(
        gen::set(&ClientPlan::messages,
                 gen::mapcat(gen::inRange<std::size_t>(0, 5),
                             [](std::size_t count) {
                               return gen::container<std::vector<std::string>>(
                                   count, gen::nonEmpty(netref::property::ByteString(3 * 8191)));
                             })),
        gen::set(&ClientPlan::writes, netref::property::PiecePattern(2 * 8191)),
        gen::set(&ClientPlan::ending,
                 gen::element(Ending::kClose, Ending::kReset, Ending::kResetWithEchoUnread)));
  }
};
}  // namespace rc

namespace netref::testing {
namespace {

std::ostream& operator<<(std::ostream& os, const ClientPlan& plan) {
  os << "{" << plan.messages.size() << (plan.messages.empty() ? " messages" : " messages:");
  for (const std::string& message : plan.messages) {
    os << " ";
    if (message.size() > 16) {
      os << message.size() << " bytes";
    } else {
      rc::show(message, os);
    }
  }
  os << ", writes cut";
  for (std::size_t size : plan.writes) os << " " << size;
  os << ", then ";
  showValue(plan.ending, os);
  return os << "}";
}

// Polls `done` until it holds or `deadline` passes: the kernel and the server's reaper finish
// asynchronously after a client leaves. Bounded; a short pause between looks.
template <typename Done>
bool Eventually(Done done, const Deadline& deadline) {
  while (!done()) {
    if (deadline.expired()) return false;
    ::usleep(2000);
  }
  return true;
}

// One connected client working through its plan.
class Client {
 public:
  Client(TcpPeer peer, const ClientPlan* plan) : peer_(std::move(peer)), plan_(plan) {}

  // Sends the next message cut as planned and reads its whole echo, or, if it is the last one
  // and the plan ends with an unread echo, only sends it. False when there is nothing left.
  bool Step() {
    if (next_ >= plan_->messages.size()) return false;
    const std::string& message = plan_->messages[next_++];
    for (std::string_view piece : Cut(message, plan_->writes)) {
      RC_ASSERT(peer_.SendAll(piece, Deadline::In(10s)));
    }
    if (next_ == plan_->messages.size() && plan_->ending == Ending::kResetWithEchoUnread) {
      return true;
    }
    // A short echo (the lecture's strlen bug) is only seen as a timeout; 3 s (times
    // NETREF_TIME_SCALE) is ample for a loopback echo and keeps shrinking a failure affordable.
    const std::optional<std::string> echo = peer_.ReceiveExactly(message.size(), Deadline::In(3s));
    RC_ASSERT(echo.has_value());
    RC_ASSERT(*echo == message);
    return true;
  }

  void End() {
    if (plan_->ending == Ending::kClose) {
      peer_.Close();
    } else {
      peer_.Reset();
    }
  }

  core::Endpoint local() const { return local_; }
  void RememberLocal() { local_ = peer_.local(); }

 private:
  TcpPeer peer_;
  const ClientPlan* plan_;
  std::size_t next_ = 0;
  core::Endpoint local_;
};

// Reads the server's stdout until every line in `wanted` has been seen, in any order, among
// all the lines read so far (a line read while waiting for another one still counts).
// False if the deadline passes first.
bool SeeLines(Subprocess& server, std::vector<std::string> wanted, const Deadline& deadline) {
  while (true) {
    for (const std::string& line : server.lines()) {
      wanted.erase(std::remove(wanted.begin(), wanted.end(), line), wanted.end());
    }
    if (wanted.empty()) return true;
    if (!server.ReadLine(deadline)) return false;
  }
}

// Runs `plans` against a fresh `server`: concurrently (all connected, taking turns) or one
// client after another; then checks zombies, children and fds, and ends the server.
void RunAgainstServer(const char* server, const std::vector<ClientPlan>& plans, bool concurrent) {
  StartedServer started = StartServer(server, {"--quiet"});
  RC_ASSERT(started.endpoint.port != 0);
  const pid_t pid = started.process.pid();
  const int fds_before = OpenFdCount(pid);
  RC_ASSERT(fds_before > 0);

  std::vector<core::Endpoint> peers;
  const auto connect = [&](const ClientPlan& plan) {
    std::optional<TcpPeer> peer = TcpPeer::Connect(started.endpoint, Deadline::In(10s));
    RC_ASSERT(peer.has_value());
    Client client(std::move(*peer), &plan);
    client.RememberLocal();
    peers.push_back(client.local());
    // T1/T3: accepted (the `connected` line); only then can "no child left" mean "all served".
    RC_ASSERT(SeeLines(started.process, {core::ConnectedLine(client.local())}, Deadline::In(10s)));
    return client;
  };
  if (concurrent) {
    std::vector<Client> clients;
    for (const ClientPlan& plan : plans) clients.push_back(connect(plan));
    for (bool any = true; any;) {  // Round-robin, one message per client per turn.
      any = false;
      for (Client& client : clients) any |= client.Step();
    }
    for (Client& client : clients) client.End();
  } else {
    for (const ClientPlan& plan : plans) {
      Client client = connect(plan);
      while (client.Step()) {
      }
      client.End();
    }
  }

  // T2: every session ends with its `is disconnected` line, a reset one included.
  std::vector<std::string> disconnected;
  for (const core::Endpoint& peer : peers) {
    disconnected.push_back(core::EchoSession(peer.port).OnEof());
  }
  RC_ASSERT(SeeLines(started.process, disconnected, Deadline::In(10s)));

  // T4: every child has exited and been reaped (so no zombie); T2/T3: every fd closed again.
  const Deadline settle = Deadline::In(10s);
  RC_ASSERT(Eventually([&] { return ChildrenOf(pid).empty(); }, settle));
  RC_ASSERT(ZombieChildrenOf(pid).empty());
  RC_ASSERT(Eventually([&] { return OpenFdCount(pid) == fds_before; }, settle));
  RC_ASSERT(IsAlive(pid));  // No client, reset or not, ended the server.

  started.process.Signal(SIGTERM);
  const std::optional<core::WaitStatus> status = started.process.Wait(Deadline::In(10s));
  RC_ASSERT(status.has_value());
  RC_ASSERT(status->ExitedWith(0));
  // One `connected` and one `is disconnected` line per client, and nothing more about them.
  const std::string rest = started.process.ReadStdoutToEof(Deadline::In(5s));
  RC_ASSERT(rest.find(" is connected...") == std::string::npos);
  RC_ASSERT(rest.find("is disconnected") == std::string::npos);
  const std::vector<std::string>& lines = started.process.lines();
  for (std::size_t i = 0; i < peers.size(); ++i) {
    RC_ASSERT(std::count(lines.begin(), lines.end(), core::ConnectedLine(peers[i])) == 1);
    RC_ASSERT(std::count(lines.begin(), lines.end(), disconnected[i]) == 1);
  }
  if (!concurrent) {  // T1: served in accept order, each to its end before the next.
    std::vector<std::string> order;
    for (const std::string& line : lines) {
      if (std::find(disconnected.begin(), disconnected.end(), line) != disconnected.end() ||
          line.rfind("client ", 0) == 0) {
        order.push_back(line);
      }
    }
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < peers.size(); ++i) {
      expected.push_back(core::ConnectedLine(peers[i]));
      expected.push_back(disconnected[i]);
    }
    RC_ASSERT(order == expected);
  }
}

rc::Gen<std::vector<ClientPlan>> ClientPlans() {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(1, 7), [](std::size_t count) {
    return rc::gen::container<std::vector<ClientPlan>>(count, rc::gen::arbitrary<ClientPlan>());
  });
}

void Classify(const std::vector<ClientPlan>& plans) {
  bool big = false, reset = false, unread = false;
  for (const ClientPlan& plan : plans) {
    for (const std::string& message : plan.messages) big |= message.size() > core::kMaxRead;
    reset |= plan.ending != Ending::kClose;
    unread |= plan.ending == Ending::kResetWithEchoUnread && !plan.messages.empty();
  }
  RC_CLASSIFY(big, "message over 8191 bytes");
  RC_CLASSIFY(reset, "a reset");
  RC_CLASSIFY(unread, "reset with echo unread");
  RC_CLASSIFY(plans.size() == 6, "6 clients");
}

// T2, T3, T4: the fork server echoes every concurrent client exactly and leaves no zombie,
// no child and no extra fd behind.
RC_GTEST_PROP(T3ForkServer, EchoesEveryClientExactlyAndLeavesNoZombieNorFd, ()) {
  const std::vector<ClientPlan> plans = *ClientPlans();
  RunAgainstServer("tcp_echo_fork", plans, /*concurrent=*/true);
  Classify(plans);
}

// T1, T2: the iterative server echoes every client in turn exactly and leaves no extra fd.
RC_GTEST_PROP(T1IterativeServer, EchoesEveryClientInTurnExactlyAndLeavesNoFd, ()) {
  const std::vector<ClientPlan> plans = *ClientPlans();
  RunAgainstServer("tcp_echo_iterative", plans, /*concurrent=*/false);
  Classify(plans);
}

}  // namespace
}  // namespace netref::testing

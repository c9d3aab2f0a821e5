// scenarios_general.cc: the G clauses every program (G1) or every server (G2, G5) is checked
// against, and the registry that orders all scenarios by role. Must not: know a program's
// internals; it sees only exit statuses, stdout and stderr.
#include <signal.h>

#include <algorithm>
#include <chrono>

#include "harness/conformance/kit.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/udp_peer.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;

constexpr Role kAllRoles[] = {Role::kIterativeServer, Role::kForkServer, Role::kTestClient,
                              Role::kChatServer,      Role::kChatClient, Role::kLivesDemo,
                              Role::kIgnoreDemo};

bool IsServer(Role role) {
  return role == Role::kIterativeServer || role == Role::kForkServer || role == Role::kChatServer;
}
// The programs that take a port (G1's probes); the signal demos take no arguments.
bool TakesPort(Role role) { return role != Role::kLivesDemo && role != Role::kIgnoreDemo; }

// G1: without its positional arguments a program prints its usage to stderr and exits 2.
// Deviation: the lecture's programs print usage (some to stdout) and exit 1.
Outcome UsageExitsTwo(Kit& kit, Role role) {
  testing::Subprocess program = kit.StartWith(role, "", "");
  const std::optional<core::WaitStatus> status = program.Wait(Deadline::In(milliseconds(3000)));
  const std::string expected = "exit 2 with a usage line on stderr";
  if (!status) return Fail(expected, "still running 3 s after starting without arguments");
  const std::string out = program.ReadStdoutToEof(Deadline::In(milliseconds(200)));
  const std::string err = program.stderr_text();
  const auto mentions_usage = [](const std::string& text) {
    return text.find("sage") != std::string::npos;  // "Usage", "usage".
  };
  const std::string observed =
      core::DescribeWaitStatus(*status) + "; stdout " + Escape(out) + "; stderr " + Escape(err);
  if (status->ExitedWith(2) && mentions_usage(err)) return Pass();
  if (status->exited() && status->exit_code != 0 && (mentions_usage(err) || mentions_usage(out))) {
    return Deviation("no usage exit 2", expected, observed);
  }
  return Fail(expected, observed);
}

// G1: a port out of range (70000) is an error: exit 2 with a message on stderr.
// Deviation: the lecture's atoi takes it (70000 wraps to 4464 in htons) and runs, or fails later.
Outcome RefusesBadPort(Kit& kit, Role role) {
  testing::Subprocess program = kit.StartWith(role, "127.0.0.1", "70000");
  const std::optional<core::WaitStatus> status = program.Wait(Deadline::In(milliseconds(1500)));
  const std::string expected = "exit 2 with an error on stderr for port 70000";
  if (!status) {
    return Deviation("accepts a bad port", expected, "still running 1.5 s later (atoi wraps it)");
  }
  const std::string err = program.stderr_text();
  const std::string observed = core::DescribeWaitStatus(*status) + "; stderr " + Escape(err);
  if (status->ExitedWith(2) && !err.empty()) return Pass();
  if (status->exited() && status->exit_code != 0) {
    return Deviation("accepts a bad port", expected, observed);
  }
  return Fail(expected, observed);
}

// G2: given port 0, a server prints `listening on ADDR:PORT` with the port it got.
// Deviation: the lecture's servers print no such line (the kit then picks the port itself).
Outcome AnnouncesListening(Kit& kit, Role role) {
  if (kit.AnnouncesPort(role)) return Pass();
  return Deviation("no `listening on` line", "`listening on ADDR:PORT` within 1.5 s of start",
                   "no such line (the kit picked a free port and waited for the bind)");
}

// G5: SIGTERM ends a server with exit 0 and leaves no process behind (after serving a client).
// Deviation: the lecture's servers run until killed, so SIGTERM kills them.
Outcome SigtermExitsZero(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  if (role == Role::kChatServer) {
    std::optional<testing::UdpPeer> peer = testing::UdpPeer::Bind();
    if (peer) peer->SendTo(server->endpoint, "hello\n");
  } else {
    std::optional<testing::TcpPeer> peer =
        testing::TcpPeer::Connect(server->endpoint, Deadline::In(milliseconds(2000)));
    if (!peer || !testing::RoundTrip(*peer, "hello", Deadline::In(milliseconds(2000)))) {
      return Fail("an echo before SIGTERM", "no echo");
    }
  }
  // Let the server finish the session it just served before asking it to stop.
  server->process.WaitForLineStartingWith("\x01never", Deadline::In(milliseconds(200)));
  // To the program itself, not to a compound template's shell (which reports 128 + SIGTERM).
  const std::optional<pid_t> program = ProgramPid(server->process.pid());
  ::kill(program.value_or(server->process.pid()), SIGTERM);  // A process the kit started.
  const std::optional<core::WaitStatus> status =
      server->process.Wait(Deadline::In(milliseconds(3000)));
  const std::string expected = "exit 0 within 3 s of SIGTERM, no process left";
  if (!status) return Fail(expected, "still running 3 s after SIGTERM");
  const bool through_shell = program && *program != server->process.pid();
  if (status->KilledBy(SIGTERM) || (through_shell && status->ExitedWith(128 + SIGTERM))) {
    return Deviation("no clean SIGTERM shutdown", expected, core::DescribeWaitStatus(*status));
  }
  if (!status->ExitedWith(0)) return Fail(expected, core::DescribeWaitStatus(*status));
  const std::vector<pid_t> left = Kit::LiveLeftovers();
  if (!left.empty()) {
    return Fail(expected, "exit 0 but " + std::to_string(left.size()) + " process(es) left");
  }
  return Pass();
}

}  // namespace

const std::vector<Scenario>& AllScenarios() {
  static const std::vector<Scenario> scenarios = [] {
    std::vector<Scenario> all;
    for (Role role : kAllRoles) {
      if (!TakesPort(role)) continue;
      all.push_back({"G1", role, "no arguments: usage on stderr, exit 2",
                     [role](Kit& kit) { return UsageExitsTwo(kit, role); }});
      all.push_back({"G1", role, "port 70000: an error, exit 2",
                     [role](Kit& kit) { return RefusesBadPort(kit, role); }});
      if (!IsServer(role)) continue;
      all.push_back({"G2", role, "port 0: prints `listening on ADDR:PORT`",
                     [role](Kit& kit) { return AnnouncesListening(kit, role); }});
    }
    AddTcpScenarios(all);
    AddChatScenarios(all);
    AddSignalScenarios(all);
    for (Role role : kAllRoles) {
      if (!IsServer(role)) continue;
      all.push_back({"G5", role, "SIGTERM: exit 0, nothing left behind",
                     [role](Kit& kit) { return SigtermExitsZero(kit, role); }});
    }
    // Grouped by program, in the order of kAllRoles; within a program, as added.
    std::stable_sort(all.begin(), all.end(), [](const Scenario& a, const Scenario& b) {
      return static_cast<int>(a.role) < static_cast<int>(b.role);
    });
    return all;
  }();
  return scenarios;
}

}  // namespace netref::conformance

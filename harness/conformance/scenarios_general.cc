// scenarios_general.cc: the G clauses every program (G1) or every server (G1's port in use, G2,
// G5) is checked against. Must not: know a program's internals; it sees only exit statuses,
// stdout, stderr and what /proc says about the program's sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "harness/conformance/proc_net.h"
#include "harness/conformance/scenario.h"
#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/udp_peer.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;

// The programs that take a port (G1's probes); the signal demos take no arguments.
bool TakesPort(Role role) { return role != Role::kLivesDemo && role != Role::kIgnoreDemo; }

bool MentionsUsage(const std::string& text) {
  return text.find("sage") != std::string::npos;  // "Usage", "usage".
}

// G1: without its positional arguments a program prints its usage to stderr and exits 2.
// Deviations: the lecture's servers print usage (to stdout) and exit 1; its chat server exits 0;
// its chat client indexes argv unchecked and crashes.
Outcome UsageExitsTwo(Kit& kit, Role role) {
  testing::Subprocess program = kit.StartWith(role, "", "");
  const std::optional<core::WaitStatus> status = program.Wait(Deadline::In(milliseconds(3000)));
  const std::string expected = "exit 2 with a usage line on stderr";
  if (!status) return Fail(expected, "still running 3 s after starting without arguments");
  const std::string out = program.ReadStdoutToEof(Deadline::In(milliseconds(200)));
  const std::string err = program.stderr_text();
  const std::string observed =
      core::DescribeWaitStatus(*status) + "; stdout " + Escape(out) + "; stderr " + Escape(err);
  if (status->ExitedWith(2) && MentionsUsage(err)) return Pass();
  if (status->signaled()) return Deviation("crashes without arguments", expected, observed);
  if (status->exited() && (MentionsUsage(err) || MentionsUsage(out))) {
    return Deviation(status->exit_code == 0 ? "usage exits 0" : "no usage exit 2", expected,
                     observed);
  }
  return Fail(expected, observed);
}

// G1: a port that is not 0..65535 in plain decimal is an error: exit 2 with a message on stderr.
// Deviation: the lecture's atoi takes it ("abc" is 0, "12x" is 12, 70000 wraps to 4464 in
// htons) and the program runs, or fails later on a bind or connect.
Outcome RefusesBadPort(Kit& kit, Role role, const std::string& port) {
  testing::Subprocess program = kit.StartWith(role, "127.0.0.1", port);
  const std::string expected = "exit 2 with an error on stderr for port '" + port + "'";
  // A program that checks its arguments exits before it touches the network, so a socket bound
  // or connected means the port was taken as valid: no need to wait any longer.
  const Deadline deadline = Deadline::In(milliseconds(1500));
  std::optional<core::WaitStatus> status;
  bool went_on = false;
  while (!(status = EndedNow(program)) && !deadline.expired()) {
    if ((went_on = TreeUsesNetwork(program.pid()))) break;
    program.PumpNow();
    ::usleep(5000);
  }
  if (!status) {
    return Deviation("accepts a bad port", expected,
                     went_on ? "it went on with it: a socket of its own is bound or connected"
                             : "still running 1.5 s later");
  }
  const std::string err = program.stderr_text();
  const std::string observed = core::DescribeWaitStatus(*status) + "; stderr " + Escape(err);
  if (status->ExitedWith(2) && !err.empty()) return Pass();
  if (status->exited() && status->exit_code != 0) {
    return Deviation("accepts a bad port", expected, observed);
  }
  return Fail(expected, observed);
}

// A socket of the kit's on 127.0.0.1 that holds a port (TCP: listening), closed when done.
class PortHolder {
 public:
  explicit PortHolder(bool udp) : fd_(::socket(AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        (udp || ::listen(fd_, 1) == 0) &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  PortHolder(const PortHolder&) = delete;
  PortHolder& operator=(const PortHolder&) = delete;
  ~PortHolder() {
    if (fd_ >= 0) ::close(fd_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

// G1 (runtime failure): a server whose port is taken says why on stderr and exits non-zero,
// rather than running without its socket or exiting 0. (The lecture's errProc exits 1.)
Outcome FailsOnPortInUse(Kit& kit, Role role) {
  const PortHolder holder(IsUdp(role));
  if (holder.port() == 0) return Fail("a port to hold", "bind failed");
  const std::string port = std::to_string(holder.port());
  testing::Subprocess program = kit.StartWith(role, "127.0.0.1", port);
  const std::optional<core::WaitStatus> status = program.Wait(Deadline::In(milliseconds(3000)));
  const std::string expected =
      "a non-zero exit with an error on stderr when port " + port + " is taken";
  if (!status) return Fail(expected, "still running 3 s later");
  const std::string err = program.stderr_text();
  if (status->exited() && status->exit_code != 0 && !err.empty()) return Pass();
  return Fail(expected, core::DescribeWaitStatus(*status) + "; stderr " + Escape(err));
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
    // A relay from one peer to another shows the server is past its set-up, in its loop.
    std::optional<testing::UdpPeer> a = testing::UdpPeer::Bind(), b = testing::UdpPeer::Bind();
    if (!a || !b) return Fail("two UDP sockets", "bind failed");
    b->SendTo(server->endpoint, "hello\n");
    const Deadline deadline = Deadline::In(milliseconds(2000));
    while (!deadline.expired()) {
      a->SendTo(server->endpoint, "hi\n");
      if (b->Receive(Deadline::In(milliseconds(100)))) break;
    }
  } else {
    std::optional<testing::TcpPeer> peer =
        testing::TcpPeer::Connect(server->endpoint, Deadline::In(milliseconds(2000)));
    if (!peer || !testing::RoundTrip(*peer, "hello", Deadline::In(milliseconds(2000)))) {
      return Fail("an echo before SIGTERM", "no echo");
    }
  }
  // To the program itself, not to a compound template's shell (which reports 128 + SIGTERM).
  const std::optional<pid_t> program = ProgramPid(server->process.pid());
  // The client has closed, so a child that served it ends on its own: wait for that first (a
  // zombie counts as ended), or a child on its way out would be taken for one left behind.
  if (program) {
    testing::PollUntil(
        [&] {
          for (const testing::ProcInfo& child : testing::ChildrenOf(*program)) {
            if (child.state != 'Z') return false;
          }
          return true;
        },
        Deadline::In(milliseconds(2000)));
  }
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

void AddGeneralScenarios(std::vector<Scenario>& out) {
  // The bad ports an atoi-parsing program takes: non-numeric, negative, trailing junk, and
  // two past the top (65536 wraps to 0, 70000 to 4464), so one port that happens to be busy
  // cannot decide the verdict.
  const std::pair<const char*, const char*> bad_ports[] = {
      {"abc", "abc"}, {"negative", "-1"}, {"12x", "12x"}, {"65536", "65536"}, {"70000", "70000"}};
  for (Role role : kAllRoles) {
    if (!TakesPort(role)) continue;
    out.push_back({"G1.no-arguments", role, "no arguments: usage on stderr, exit 2",
                   [role](Kit& kit) { return UsageExitsTwo(kit, role); }});
    for (const auto& [name, port] : bad_ports) {
      const std::string text = port;
      out.push_back({"G1.port-" + std::string(name), role,
                     "port '" + text + "': an error on stderr, exit 2",
                     [role, text](Kit& kit) { return RefusesBadPort(kit, role, text); }});
    }
    if (!IsServer(role)) continue;
    out.push_back({"G1.port-in-use", role, "port already taken: an error on stderr, exit non-zero",
                   [role](Kit& kit) { return FailsOnPortInUse(kit, role); }});
    out.push_back({"G2.listening-line", role, "port 0: prints `listening on ADDR:PORT`",
                   [role](Kit& kit) { return AnnouncesListening(kit, role); },
                   /*extension=*/true});
  }
}

void AddShutdownScenarios(std::vector<Scenario>& out) {
  for (Role role : kAllRoles) {
    if (!IsServer(role)) continue;
    out.push_back({"G5.sigterm", role, "SIGTERM: exit 0, nothing left behind",
                   [role](Kit& kit) { return SigtermExitsZero(kit, role); },
                   /*extension=*/true});
  }
}

}  // namespace netref::conformance

// scenarios_echo_server.cc: the TCP echo server clauses (T1-T4, G4) as checks against any
// iterative or fork-per-client server. Must not: read a server's console before the behaviour
// it logs has happened on the wire, or wait without a deadline.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <list>
#include <map>

#include "harness/conformance/proc_net.h"
#include "harness/conformance/scenario.h"
#include "harness/support/tcp_peer.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;
using testing::TcpPeer;

std::optional<TcpPeer> ConnectTo(const Launched& server) {
  return TcpPeer::Connect(server.endpoint, Deadline::In(milliseconds(2000)));
}

// The start most checks share: the server for `role`, and one client it has echoed `message`
// to; nullopt (with *failure set) if either step fails.
struct Served {
  Launched server;
  TcpPeer client;
};
std::optional<Served> StartAndEcho(Kit& kit, Role role, const std::string& message,
                                   Outcome* failure) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) {
    *failure = Fail("the server starts", why);
    return std::nullopt;
  }
  std::optional<TcpPeer> client = ConnectTo(*server);
  if (!client || !testing::RoundTrip(*client, message, Deadline::In(milliseconds(2000)))) {
    *failure = Fail("a first client is echoed", "no echo");
    return std::nullopt;
  }
  return Served{std::move(*server), std::move(*client)};
}

// The clause a check of the server's own set-up belongs to: T1 for the iterative server, T3
// for the fork server.
std::string ServerClause(Role role) { return role == Role::kIterativeServer ? "T1" : "T3"; }

// T2: a text message comes back byte for byte.
Outcome EchoesText(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  std::optional<TcpPeer> peer = ConnectTo(*server);
  if (!peer) return Fail("connect succeeds", "connect failed");
  const std::string message = "hello, netref\n";
  peer->SendAll(message, Deadline::In(milliseconds(1000)));
  const std::string echo = ReadUpTo(peer->fd(), message.size(), Deadline::In(milliseconds(2000)));
  if (echo != message) return Fail(Escape(message), Escape(echo));
  return Pass();
}

// T2: binary-safe: a message with a NUL byte comes back whole.
// Deviation: the lecture writes strlen(rBuff) bytes, so its echo stops at the first NUL.
Outcome EchoesNulBytes(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  std::optional<TcpPeer> peer = ConnectTo(*server);
  if (!peer) return Fail("connect succeeds", "connect failed");
  const std::string message("ab\0cd\n", 6);
  peer->SendAll(message, Deadline::In(milliseconds(1000)));
  const std::string echo = ReadUpTo(peer->fd(), message.size(), Deadline::In(milliseconds(1500)));
  if (echo == message) return Pass();
  if (echo == "ab") return Deviation("truncates echo at NUL byte", Escape(message), Escape(echo));
  return Fail(Escape(message), Escape(echo));
}

// T2, G4: 100 000 bytes sent in 8 KiB pieces come back whole and in order (several reads of at
// most 8191 bytes each, and short writes completed).
Outcome EchoesLargeStream(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  std::optional<TcpPeer> peer = ConnectTo(*server);
  if (!peer) return Fail("connect succeeds", "connect failed");
  std::string data(100000, 'x');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('A' + i % 26);
  // Sends and receives at once, and drains the server's console meanwhile: a server that logs
  // each read would otherwise block on a full stdout pipe and look stuck.
  std::string echo;
  std::size_t sent = 0;
  const Deadline deadline = Deadline::In(milliseconds(10000));
  while (echo.size() < data.size() && !deadline.expired()) {
    pollfd p{peer->fd(), static_cast<short>(POLLIN | (sent < data.size() ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, 20) > 0) {
      if ((p.revents & POLLOUT) != 0) {
        const ssize_t n = ::send(peer->fd(), data.data() + sent,
                                 std::min<std::size_t>(8192, data.size() - sent), MSG_NOSIGNAL);
        if (n > 0) sent += static_cast<std::size_t>(n);
      }
      if ((p.revents & (POLLIN | POLLHUP)) != 0) {
        char buffer[65536];
        const ssize_t n = ::recv(peer->fd(), buffer, sizeof buffer, 0);
        if (n == 0) break;
        if (n > 0) echo.append(buffer, static_cast<std::size_t>(n));
      }
    }
    server->process.PumpNow();
  }
  if (echo.size() < data.size()) {
    return Fail("100000 bytes echoed", std::to_string(echo.size()) + " bytes in 10 s");
  }
  if (echo != data) return Fail(Escape(data, 60), Escape(echo, 60));
  return Pass();
}

// T2: a client that goes away mid-echo ends its session, never the server. In each of three
// rounds a rude client sends 48 KiB, half-closes and closes before any echo comes back, while a
// holding client keeps the server busy (an iterative server has not even accepted the rude one
// yet); then the holder leaves and a new client must be echoed. The rude client's FIN reaches
// the server with the data (48 KiB fits in the loopback window), so the server's first echo
// draws a reset while it is in CLOSE_WAIT: Linux then records EPIPE, not ECONNRESET, and the
// next write (there are six more chunks of 8191 bytes to read and echo) raises SIGPIPE. That is
// deterministic: a server that leaves SIGPIPE at its default dies in the first round, one that
// ignores it ends the session on EPIPE. (A rude client that closes with the echo unread instead
// resets an ESTABLISHED socket: the first failed write then reports ECONNRESET without a signal,
// and a SIGPIPE-default server that stops at that error survives; the kit once did that and
// called such a server correct in some runs.)
// Deviation: the lecture does not ignore SIGPIPE, so its (iterative) server dies.
Outcome SurvivesReset(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  const std::string expected =
      "after each of 3 clients sends 48 KiB, half-closes and closes without reading, a new "
      "client is echoed";
  const std::string data(49152, 'r');
  for (int round = 1; round <= 3; ++round) {
    const std::string when = " (round " + std::to_string(round) + ")";
    {
      std::optional<TcpPeer> holder = ConnectTo(*server);
      if (!holder || !testing::RoundTrip(*holder, "hold", Deadline::In(milliseconds(2000)))) {
        return Fail(expected, "the holding client was not echoed" + when);
      }
      std::optional<TcpPeer> rude = ConnectTo(*server);
      if (!rude) return Fail(expected, "connect failed" + when);
      rude->SendAll(data, Deadline::In(milliseconds(2000)));
      rude->ShutdownWrite();
    }  // The rude client closes here, then the holder.
    std::optional<TcpPeer> next = ConnectTo(*server);
    std::string echo;
    if (next && next->SendAll("still there?", Deadline::In(milliseconds(1000)))) {
      // An iterative server serves the next client once it is done with the rude one: drain
      // its console meanwhile (it logs all 64 KiB).
      const Deadline deadline = Deadline::In(milliseconds(4000));
      while (echo.size() < 12 && !deadline.expired() && !EndedNow(server->process)) {
        server->process.PumpNow();
        echo += ReadUpTo(next->fd(), 12 - echo.size(), Deadline::In(milliseconds(20)));
      }
    }
    if (echo == "still there?") continue;
    const std::optional<core::WaitStatus> status =
        server->process.Wait(Deadline::In(milliseconds(500)));
    if (status && status->KilledBy(SIGPIPE)) {
      return Deviation("dies of SIGPIPE on a reset", expected,
                       "the server was killed by SIGPIPE" + when);
    }
    if (status) return Fail(expected, "the server " + core::DescribeWaitStatus(*status) + when);
    return Fail(expected, "no echo within 4 s; the server still runs" + when);
  }
  return Pass();
}

// T1, T3 console: `Server start...`, `client 127.0.0.1:P is connected...`, `Client(P): hi`,
// `Client(P): is disconnected`, in that order.
Outcome LogsSession(Kit& kit, Role role) {
  Outcome failure;
  std::optional<Served> served = StartAndEcho(kit, role, "hi", &failure);
  if (!served) return failure;
  const std::string port = std::to_string(served->client.local().port);
  served->client.Close();
  Launched* server = &served->server;
  const std::vector<std::string> expected = {
      "Server start...", "client 127.0.0.1:" + port + " is connected...",
      "Client(" + port + "): hi", "Client(" + port + "): is disconnected"};
  server->process.WaitForLine([&](const std::string& line) { return line == expected.back(); },
                              Deadline::In(milliseconds(2000)));
  std::size_t next = 0;
  std::string seen;
  for (const std::string& line : server->process.lines()) {
    if (next < expected.size() && line == expected[next]) ++next;
    seen += line + "\n";
  }
  if (next == expected.size()) return Pass();
  std::string want;
  for (const std::string& line : expected) want += line + "\n";
  return Fail("console lines, in order: " + Escape(want, 400), Escape(seen, 400));
}

// T3 console: with stdout a plain pipe (no stdbuf), no line comes out twice. A printf'd line
// still in the parent's stdio buffer at fork is copied into the child, which prints it again
// when it exits. Deviation: the lecture's server does exactly that ("Server start..." once per
// child).
Outcome PrintsEachLineOnce(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why, ServerStart{{}, false});
  if (!server) return Fail("the server starts", why);
  const std::optional<pid_t> program = ProgramPid(server->process.pid());
  if (!program) return Fail("the server runs", "it is gone");
  for (const char* message : {"one", "two"}) {
    std::optional<TcpPeer> peer = ConnectTo(*server);
    if (!peer || !testing::RoundTrip(*peer, message, Deadline::In(milliseconds(2000)))) {
      return Fail("two clients echoed in turn", "no echo");
    }
    peer->Close();
    // Each child ends (and flushes what it holds) before the next client comes.
    const Deadline deadline = Deadline::In(milliseconds(2000));
    while (!LiveBelow(*program).empty() && !deadline.expired()) {
      server->process.PumpNow();
      ::usleep(2000);
    }
  }
  server->process.WaitForLine([](const std::string&) { return false; },
                              Deadline::In(milliseconds(Scaled(200))));
  std::map<std::string, int> seen;
  for (const std::string& line : server->process.lines()) ++seen[line];
  for (const auto& [line, times] : seen) {
    if (times > 1) {
      return Deviation("stdout buffered across fork",
                       "each console line once with stdout a pipe (no stdbuf)",
                       Escape(line) + " printed " + std::to_string(times) + " times");
    }
  }
  return Pass();
}

// T1, T3: a server stopped while a client is connected can start again on the same port at
// once, though that port's connection sits in TIME_WAIT (the server closed first).
// Deviation: without SO_REUSEADDR, the lecture's bind fails with "Address already in use".
Outcome RestartsInTimeWait(Kit& kit, Role role) {
  std::string why;
  std::uint16_t port = 0;
  {
    Outcome failure;
    std::optional<Served> first = StartAndEcho(kit, role, "hi", &failure);
    if (!first) return failure;
    port = first->server.endpoint.port;
    Kit::EndEverything();  // The server (and its child) close first: theirs is the TIME_WAIT.
    first->client.Close();
  }
  const Deadline settle = Deadline::In(milliseconds(2000));
  while (!PortInTimeWait(port) && !settle.expired()) ::usleep(2000);
  if (!PortInTimeWait(port)) {
    // Not the program's doing: a kernel whose TIME_WAIT table is full (tcp_max_tw_buckets)
    // keeps none. (--isolate gives the run a table of its own.)
    return NotJudged(Verdict::kNotApplicable,
                     "not judged: the kernel kept no TIME_WAIT for port " + std::to_string(port) +
                         " (is its table full? see net.ipv4.tcp_max_tw_buckets)");
  }
  const std::string expected = "the server starts again on port " + std::to_string(port) +
                               " while its last connection is in TIME_WAIT, and echoes";
  std::optional<Launched> second = kit.StartServer(role, &why, ServerStart{port, true});
  if (!second) {
    if (why.find("in use") != std::string::npos) {
      return Deviation("restart fails in TIME_WAIT", expected, why);
    }
    return Fail(expected, why);
  }
  std::optional<TcpPeer> peer = ConnectTo(*second);
  if (!peer || !testing::RoundTrip(*peer, "again", Deadline::In(milliseconds(2000)))) {
    return Fail(expected, "it started but did not echo");
  }
  return Pass();
}

// T1: one client at a time. A second client's connect completes (queued in the backlog), but it
// is echoed only after the first disconnects.
Outcome ServesOneAtATime(Kit& kit, Role role) {
  Outcome failure;
  std::optional<Served> served = StartAndEcho(kit, role, "first", &failure);
  if (!served) return failure;
  Launched* server = &served->server;
  TcpPeer* first = &served->client;
  std::optional<TcpPeer> second = ConnectTo(*server);
  if (!second) return Fail("the second connect completes (backlog 2)", "connect failed");
  second->SendAll("second", Deadline::In(milliseconds(500)));
  if (second->Readable(Deadline::In(milliseconds(400)))) {
    return Fail("no echo for the second client while the first is connected",
                "the second client was echoed at once");
  }
  first->Close();
  const std::string echo = ReadUpTo(second->fd(), 6, Deadline::In(milliseconds(3000)));
  if (echo != "second") {
    return Fail("\"second\" once the first client has left", Escape(echo));
  }
  return Pass();
}

// T3: a process per client: a second client is echoed while the first stays connected.
Outcome ServesConcurrently(Kit& kit, Role role) {
  Outcome failure;
  std::optional<Served> served = StartAndEcho(kit, role, "first", &failure);
  if (!served) return failure;
  Launched* server = &served->server;
  TcpPeer* first = &served->client;
  std::optional<TcpPeer> second = ConnectTo(*server);
  std::optional<std::string> echo;
  if (second) echo = testing::RoundTrip(*second, "second", Deadline::In(milliseconds(2000)));
  if (!echo || *echo != "second") {
    return Fail("the second client echoed while the first is connected", "no echo within 2 s");
  }
  echo = testing::RoundTrip(*first, "again", Deadline::In(milliseconds(2000)));
  if (!echo || *echo != "again") return Fail("the first client is still echoed", "no echo");
  return Pass();
}

// T4: after five clients leave at once (their SIGCHLDs coalesce), the server keeps running and,
// once no child of it is alive any more, has no zombie child either: the check waits for the
// children to end before it looks for zombies (a child that takes 50 ms to exit is not yet a
// zombie at the first look).
// Deviation: the lecture's fork server never waits for its children.
Outcome ReapsChildren(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  const std::optional<pid_t> program = ProgramPid(server->process.pid());
  if (!program) return Fail("the server runs", "it is gone");
  {
    std::list<TcpPeer> peers;
    for (int i = 0; i < 5; ++i) {
      std::optional<TcpPeer> peer = ConnectTo(*server);
      if (!peer || !testing::RoundTrip(*peer, "ping", Deadline::In(milliseconds(2000)))) {
        return Fail("five clients echoed", "client " + std::to_string(i) + " was not");
      }
      peers.push_back(std::move(*peer));
    }
  }  // All five close here, together.
  const Deadline deadline = Deadline::In(milliseconds(2000));
  std::vector<pid_t> live, zombies;
  do {
    server->process.PumpNow();
    live = LiveBelow(*program);
    zombies = ZombiesBelow(*program);
    if (live.empty() && zombies.empty()) break;
    ::usleep(5000);
  } while (!deadline.expired());
  if (const std::optional<core::WaitStatus> status = EndedNow(server->process)) {
    return Fail("the server keeps running", "it " + core::DescribeWaitStatus(*status));
  }
  if (!live.empty()) {
    return Fail("no child alive 2 s after its client left",
                std::to_string(live.size()) + " child(ren) still running");
  }
  if (zombies.empty()) return Pass();
  return Deviation("leaves zombies", "no zombie child once every child has exited",
                   std::to_string(zombies.size()) + " zombie child(ren) in /proc 2 s later");
}

}  // namespace

void AddEchoServerScenarios(std::vector<Scenario>& out) {
  for (Role role : {Role::kIterativeServer, Role::kForkServer}) {
    const std::string own = ServerClause(role);
    out.push_back({"T2.echo-text", role, "echoes a text message byte for byte",
                   [role](Kit& kit) { return EchoesText(kit, role); }});
    out.push_back({"T2.echo-nul", role, "binary-safe echo: NUL bytes come back",
                   [role](Kit& kit) { return EchoesNulBytes(kit, role); }});
    out.push_back({"G4.large-stream", role, "100000 bytes in 8 KiB sends come back whole",
                   [role](Kit& kit) { return EchoesLargeStream(kit, role); }});
    out.push_back({"T2.reset", role,
                   "a client that resets mid-echo ends its session, not the server",
                   [role](Kit& kit) { return SurvivesReset(kit, role); }});
    out.push_back({own + ".console", role, "console: start, connected, message, disconnected",
                   [role](Kit& kit) { return LogsSession(kit, role); }});
    out.push_back({own + ".restart-in-time-wait", role,
                   "restarts at once on its port while a connection is in TIME_WAIT",
                   [role](Kit& kit) { return RestartsInTimeWait(kit, role); }});
  }
  out.push_back({"T1.one-at-a-time", Role::kIterativeServer,
                 "a second client waits until the first leaves",
                 [](Kit& kit) { return ServesOneAtATime(kit, Role::kIterativeServer); }});
  out.push_back({"T3.concurrent", Role::kForkServer,
                 "a second client is served while the first stays",
                 [](Kit& kit) { return ServesConcurrently(kit, Role::kForkServer); }});
  out.push_back({"T3.no-duplicate-lines", Role::kForkServer,
                 "console: no line printed twice when stdout is a pipe (no stdbuf)",
                 [](Kit& kit) { return PrintsEachLineOnce(kit, Role::kForkServer); }});
  out.push_back({"T4.reaps", Role::kForkServer, "no zombie child after five clients leave at once",
                 [](Kit& kit) { return ReapsChildren(kit, Role::kForkServer); }});
}

}  // namespace netref::conformance

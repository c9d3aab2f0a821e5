// scenarios_tcp.cc: the TCP echo clauses (T1–T5) as scenarios against any echo server and test
// client. Must not: read a server's console before the behaviour it logs has happened on the
// wire, or wait without a deadline.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <list>

#include "harness/conformance/kit.h"
#include "harness/support/tcp_peer.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;
using testing::TcpPeer;

std::optional<TcpPeer> ConnectTo(const Launched& server) {
  return TcpPeer::Connect(server.endpoint, Deadline::In(milliseconds(2000)));
}

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

// T2: a peer that resets its connection ends that session, never the server.
Outcome SurvivesReset(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  {
    std::optional<TcpPeer> rude = ConnectTo(*server);
    if (!rude) return Fail("connect succeeds", "connect failed");
    testing::RoundTrip(*rude, "bye", Deadline::In(milliseconds(2000)));
    rude->SendAll("unread", Deadline::In(milliseconds(500)));
    rude->Reset();
  }
  std::optional<TcpPeer> next = ConnectTo(*server);
  std::optional<std::string> echo;
  if (next) echo = testing::RoundTrip(*next, "still there?", Deadline::In(milliseconds(3000)));
  if (!echo || *echo != "still there?") {
    return Fail("a new client is echoed after a reset",
                server->process.running() ? "no echo" : "the server is gone");
  }
  return Pass();
}

// T1, T3 console: `Server start...`, `client 127.0.0.1:P is connected...`, `Client(P): hi`,
// `Client(P): is disconnected`, in that order.
Outcome LogsSession(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  std::string port;
  {
    std::optional<TcpPeer> peer = ConnectTo(*server);
    if (!peer || !testing::RoundTrip(*peer, "hi", Deadline::In(milliseconds(2000)))) {
      return Fail("an echo", "no echo");
    }
    port = std::to_string(peer->local().port);
  }
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

// T1: one client at a time. A second client's connect completes (queued in the backlog), but it
// is echoed only after the first disconnects.
Outcome ServesOneAtATime(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  std::optional<TcpPeer> first = ConnectTo(*server);
  if (!first || !testing::RoundTrip(*first, "first", Deadline::In(milliseconds(2000)))) {
    return Fail("the first client is echoed", "no echo");
  }
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
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
  std::optional<TcpPeer> first = ConnectTo(*server);
  if (!first || !testing::RoundTrip(*first, "first", Deadline::In(milliseconds(2000)))) {
    return Fail("the first client is echoed", "no echo");
  }
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

// T4: after five clients leave at once (their SIGCHLDs coalesce), the server has no zombie child.
// Deviation: the lecture's fork server never waits for its children.
Outcome ReapsChildren(Kit& kit, Role role) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) return Fail("the server starts", why);
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
  std::vector<pid_t> zombies;
  do {
    server->process.PumpNow();
    zombies = ZombiesBelow(server->process.pid());
    if (zombies.empty()) break;
    ::usleep(20000);
  } while (!deadline.expired());
  if (!server->process.running()) return Fail("the server keeps running", "it exited");
  if (zombies.empty()) return Pass();
  return Deviation("leaves zombies", "no zombie child 2 s after the clients left",
                   std::to_string(zombies.size()) + " zombie child(ren) in /proc");
}

// The kit's side of T5: an echo server on 127.0.0.1:0 that records what the client sent, run in
// the kit's own single-threaded poll loop while the client runs.
struct ClientRun {
  std::string received;     // Every byte the client sent, in order.
  bool closed = false;      // The client closed its connection.
  std::string stdout_text;  // What the client printed.
  std::optional<core::WaitStatus> status;
};

ClientRun RunTestClient(Kit& kit, Role role, const std::string& input, int limit_ms) {
  ClientRun run;
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::listen(listener, 1);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  Launched client = kit.StartClient(role, {core::kLoopbackAddress, ntohs(address.sin_port)});
  client.process.WriteStdin(input);
  client.process.CloseStdin();
  int connection = -1;
  const Deadline deadline = Deadline::In(milliseconds(limit_ms));
  while (!deadline.expired()) {
    pollfd p{connection >= 0 ? connection : listener, POLLIN, 0};
    if (::poll(&p, 1, 20) > 0) {
      if (connection < 0) {
        connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      } else {
        char buffer[8192];
        const ssize_t n = ::recv(connection, buffer, sizeof buffer, 0);
        if (n > 0) {
          run.received.append(buffer, static_cast<std::size_t>(n));
          ::send(connection, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL);
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          run.closed = true;
          ::close(connection);
          connection = -1;  // Served; the listener is polled again (no second client comes).
        }
      }
    }
    client.process.PumpNow();
    if (!run.status) run.status = client.process.Wait(Deadline::In(milliseconds(0)));
    if (run.status && run.closed) break;
  }
  if (connection >= 0) ::close(connection);
  ::close(listener);
  run.stdout_text = client.process.ReadStdoutToEof(Deadline::In(milliseconds(300)));
  return run;
}

// T5: lines shorter than 2 bytes (with newline) are skipped; the others are sent without their
// newline and their echo printed; after END the client closes and exits 0 (later lines unsent).
Outcome ClientSendsLines(Kit& kit, Role role) {
  const std::string input = "hello\n\na\nworld\nEND\nafter\n";
  ClientRun run = RunTestClient(kit, role, input, 4000);
  const std::string sent = "helloaworldEND", printed = "hello\na\nworld\n";
  std::string observed = "sent " + Escape(run.received) + ", printed " + Escape(run.stdout_text) +
                         ", " + (run.status ? core::DescribeWaitStatus(*run.status) : "running");
  const std::string expected = "for stdin " + Escape(input) + ": sent " + Escape(sent) +
                               ", printed " + Escape(printed) + ", exited with status 0";
  if (run.received == sent && run.stdout_text == printed && run.status &&
      run.status->ExitedWith(0) && run.closed) {
    return Pass();
  }
  return Fail(expected, observed);
}

// T5: stdin EOF (no END) closes the connection and exits 0.
// Deviation: the lecture's fgets loop ignores EOF and keeps sending what is left in its buffer.
Outcome ClientEndsAtEof(Kit& kit, Role role) {
  ClientRun run = RunTestClient(kit, role, "hi\n", 3000);
  const std::string expected = "sent \"hi\", printed \"hi\\n\", exited with status 0";
  std::string observed = "sent " + Escape(run.received) + ", printed " + Escape(run.stdout_text) +
                         ", " + (run.status ? core::DescribeWaitStatus(*run.status) : "running");
  if (run.received == "hi" && run.stdout_text == "hi\n" && run.status &&
      run.status->ExitedWith(0)) {
    return Pass();
  }
  if (!run.status && run.received.size() > 2 && run.received.rfind("hi", 0) == 0) {
    return Deviation("loops at stdin EOF", expected, observed);
  }
  return Fail(expected, observed);
}

}  // namespace

void AddTcpScenarios(std::vector<Scenario>& out) {
  for (Role role : {Role::kIterativeServer, Role::kForkServer}) {
    out.push_back({"T2", role, "echoes a text message byte for byte",
                   [role](Kit& kit) { return EchoesText(kit, role); }});
    out.push_back({"T2", role, "binary-safe echo: NUL bytes come back",
                   [role](Kit& kit) { return EchoesNulBytes(kit, role); }});
    out.push_back({"G4", role, "100000 bytes in 8 KiB sends come back whole",
                   [role](Kit& kit) { return EchoesLargeStream(kit, role); }});
    out.push_back({"T2", role, "a client's reset ends its session, not the server",
                   [role](Kit& kit) { return SurvivesReset(kit, role); }});
    out.push_back({role == Role::kIterativeServer ? "T1" : "T3", role,
                   "console: start, connected, message, disconnected",
                   [role](Kit& kit) { return LogsSession(kit, role); }});
  }
  out.push_back({"T1", Role::kIterativeServer, "a second client waits until the first leaves",
                 [](Kit& kit) { return ServesOneAtATime(kit, Role::kIterativeServer); }});
  out.push_back({"T3", Role::kForkServer, "a second client is served while the first stays",
                 [](Kit& kit) { return ServesConcurrently(kit, Role::kForkServer); }});
  out.push_back({"T4", Role::kForkServer, "no zombie child after five clients leave at once",
                 [](Kit& kit) { return ReapsChildren(kit, Role::kForkServer); }});
  out.push_back({"T5", Role::kTestClient, "skips short lines, sends without newline, stops at END",
                 [](Kit& kit) { return ClientSendsLines(kit, Role::kTestClient); }});
  out.push_back({"T5", Role::kTestClient, "stdin EOF: closes and exits 0",
                 [](Kit& kit) { return ClientEndsAtEof(kit, Role::kTestClient); }});
}

}  // namespace netref::conformance

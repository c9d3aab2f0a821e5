// scenarios_chat.cc: the UDP chat clauses (C1–C7) as scenarios against any chat server and
// chat client. The kit plays the other chat clients (or the server) with its own UDP sockets on
// 127.0.0.1. Must not: wait without a deadline; a missing datagram is observed as a quiet period.
#include <poll.h>
#include <signal.h>

#include <chrono>

#include "harness/conformance/kit.h"
#include "harness/support/udp_peer.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;
using testing::UdpPeer;
using Inbox = std::vector<std::string>;

// C4: the header the server sends before each relayed payload: "%s: %d>> ".
std::string Header(const UdpPeer& sender) {
  return "127.0.0.1: " + std::to_string(sender.local().port) + ">> ";
}

std::vector<UdpPeer> BindPeers(int n) {
  std::vector<UdpPeer> peers;
  for (int i = 0; i < n; ++i) {
    if (std::optional<UdpPeer> peer = UdpPeer::Bind()) peers.push_back(std::move(*peer));
  }
  return peers;
}

// Every datagram each peer receives until none arrives for `quiet_ms` (at most 3 s in all).
std::vector<Inbox> Collect(std::vector<UdpPeer>& peers, int quiet_ms) {
  std::vector<Inbox> inboxes(peers.size());
  const Deadline overall = Deadline::In(milliseconds(3000));
  while (!overall.expired()) {
    std::vector<pollfd> fds;
    for (const UdpPeer& peer : peers) fds.push_back({peer.fd(), POLLIN, 0});
    // The quiet period stretches with NETREF_TIME_SCALE, like every deadline.
    const int quiet = static_cast<int>(quiet_ms * testing::TimeScale());
    if (::poll(fds.data(), fds.size(), quiet) <= 0) break;
    for (std::size_t i = 0; i < peers.size(); ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      if (std::optional<testing::Datagram> d = peers[i].Receive(Deadline::In(milliseconds(0)))) {
        inboxes[i].push_back(d->bytes);
      }
    }
  }
  return inboxes;
}

std::string Show(const Inbox& inbox) {
  std::string text = "[";
  for (const std::string& datagram : inbox)
    text += (text.size() > 1 ? ", " : "") + Escape(datagram, 60);
  return text + "]";
}

// Joins `peers` in order (each speaks once, its relays drained for `quiet_ms`) so that later
// rounds see only what the round itself caused, and the server lists them in this order.
void JoinInTurn(std::vector<UdpPeer>& peers, const core::Endpoint& server, int quiet_ms = 150) {
  for (std::size_t i = 0; i < peers.size(); ++i) {
    peers[i].SendTo(server, "join " + std::to_string(i) + "\n");
    Collect(peers, quiet_ms);
  }
}

// The chat server under test and `n` kit-played clients, not yet joined.
struct ChatRoom {
  Launched server;
  std::vector<UdpPeer> peers;
};

// Starts the server and binds `n` client sockets; on failure, nullopt with *failure set.
std::optional<ChatRoom> OpenRoom(Kit& kit, Role role, std::size_t n, Outcome* failure) {
  std::string why;
  std::optional<Launched> server = kit.StartServer(role, &why);
  if (!server) {
    *failure = Fail("the server starts", why);
    return std::nullopt;
  }
  std::vector<UdpPeer> peers = BindPeers(static_cast<int>(n));
  if (peers.size() != n) {
    *failure = Fail(std::to_string(n) + " UDP sockets", "bind failed");
    return std::nullopt;
  }
  return ChatRoom{std::move(*server), std::move(peers)};
}

// C4: each payload goes to every other listed client, header first, in list order; never back
// to its sender.
Outcome RelaysToOthers(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 3, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  Launched* server = &room->server;
  // A, then B, then C join by speaking; each waits for the previous relays to land, so the
  // order the server sees is the order sent.
  const char* lines[] = {"from A\n", "from B\n", "from C\n"};
  std::vector<Inbox> got(3);
  for (int i = 0; i < 3; ++i) {
    peers[static_cast<std::size_t>(i)].SendTo(server->endpoint, lines[i]);
    std::vector<Inbox> round = Collect(peers, 150);
    for (int j = 0; j < 3; ++j) {
      for (std::string& d : round[static_cast<std::size_t>(j)])
        got[static_cast<std::size_t>(j)].push_back(d);
    }
  }
  const std::vector<Inbox> want = {
      {Header(peers[1]), lines[1], Header(peers[2]), lines[2]}, {Header(peers[2]), lines[2]}, {}};
  if (got == want) return Pass();
  return Fail("A, B, C join in turn: A gets " + Show(want[0]) + ", B " + Show(want[1]) + ", C " +
                  Show(want[2]),
              "A got " + Show(got[0]) + ", B " + Show(got[1]) + ", C " + Show(got[2]));
}

// C4: payloads are relayed as received: an empty datagram and one with a NUL byte.
Outcome RelaysBinaryPayloads(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  Launched* server = &room->server;
  peers[0].SendTo(server->endpoint, "A\n");
  Collect(peers, 150);
  peers[1].SendTo(server->endpoint, "B\n");
  Collect(peers, 150);
  const std::string binary("x\0y", 3);
  peers[0].SendTo(server->endpoint, "");
  peers[0].SendTo(server->endpoint, binary);
  const std::vector<Inbox> got = Collect(peers, 200);
  const Inbox want = {Header(peers[0]), "", Header(peers[0]), binary};
  if (got[1] == want && got[0].empty()) return Pass();
  return Fail("B gets " + Show(want) + ", A nothing",
              "B got " + Show(got[1]) + ", A " + Show(got[0]));
}

// C1: one UDP socket, datagrams up to 8191 bytes: an 8191-byte payload from A reaches B exactly,
// and both relayed datagrams come from the address A sent to (the one socket, no other).
// Only B's inbox is judged: what A gets back is C4's business.
Outcome RelaysLargestDatagram(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  Launched* server = &room->server;
  JoinInTurn(peers, server->endpoint);
  std::string payload(8191, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>('a' + static_cast<int>(i % 26));
  payload.back() = '\n';
  peers[0].SendTo(server->endpoint, payload);
  Inbox got;
  std::vector<core::Endpoint> senders;
  for (int i = 0; i < 2; ++i) {
    std::optional<testing::Datagram> d = peers[1].Receive(Deadline::In(milliseconds(2000)));
    if (!d) break;
    got.push_back(d->bytes);
    senders.push_back(d->from);
  }
  const Inbox want = {Header(peers[0]), payload};
  if (got != want) {
    return Fail(
        "B gets " + Show(want) + " (payload 8191 bytes)",
        "B got " + Show(got) +
            (got.size() == 2 ? " (payload " + std::to_string(got[1].size()) + " bytes)" : ""));
  }
  for (const core::Endpoint& from : senders) {
    if (!(from == server->endpoint)) {
      return Fail(
          "relays sent from the server's one socket " + core::FormatEndpoint(server->endpoint),
          "a relay came from " + core::FormatEndpoint(from));
    }
  }
  return Pass();
}

// C5: clients are never removed: after A sends `END\n` (relayed to B like any message), a
// later message from B still reaches A. Only the other client's inbox is judged each round.
Outcome KeepsClientAfterEnd(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  Launched* server = &room->server;
  JoinInTurn(peers, server->endpoint);
  peers[0].SendTo(server->endpoint, "END\n");
  const std::vector<Inbox> after_end = Collect(peers, 200);
  const Inbox want_end = {Header(peers[0]), "END\n"};
  if (after_end[1] != want_end) {
    return Fail("END is relayed like any message: B gets " + Show(want_end),
                "B got " + Show(after_end[1]));
  }
  peers[1].SendTo(server->endpoint, "still there?\n");
  const std::vector<Inbox> later = Collect(peers, 200);
  const Inbox want_later = {Header(peers[1]), "still there?\n"};
  if (later[0] != want_later) {
    return Fail("A stays listed after END: A gets " + Show(want_later), "A got " + Show(later[0]));
  }
  return Pass();
}

// C6: a 9000-byte datagram is relayed truncated to its first 8191 bytes, and the server logs
// that it was. Deviation: the lecture's recvfrom(BUFSIZ-1) truncates the same way but logs
// nothing ("truncates silently").
Outcome TruncatesOversizedDatagram(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  Launched* server = &room->server;
  JoinInTurn(peers, server->endpoint);
  std::string payload(9000, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>('A' + static_cast<int>(i % 23));
  if (!peers[0].SendTo(server->endpoint, payload)) return Fail("a 9000-byte datagram", "not sent");
  const std::vector<Inbox> got = Collect(peers, 200);
  const Inbox want = {Header(peers[0]), payload.substr(0, 8191)};
  if (got[1] != want) {
    return Fail(
        "B gets " + Show(want) + " (payload 8191 bytes)",
        "B got " + Show(got[1]) +
            (got[1].size() == 2 ? " (payload " + std::to_string(got[1][1].size()) + " bytes)"
                                : ""));
  }
  const std::string log_line =
      "datagram from " + core::FormatEndpoint(peers[0].local()) + " truncated to 8191 bytes";
  // The report may come on stdout or on stderr (netref prints it on stderr: it is an event).
  const Deadline deadline = Deadline::In(milliseconds(1000));
  bool logged = false;
  while (!logged && !deadline.expired()) {
    logged =
        server->process.stderr_text().find(log_line) != std::string::npos ||
        server->process
            .WaitForLine(
                [&](const std::string& line) { return line.find(log_line) != std::string::npos; },
                Deadline::In(milliseconds(50)))
            .has_value();
  }
  if (logged) return Pass();
  return Deviation("truncates silently", "a line \"" + log_line + "\"",
                   "relayed truncated to 8191 bytes; no such line on stdout or stderr within 1 s");
}

// C2: capacity 10: the 11th sender is dropped: nothing it sends is relayed, and it receives
// nothing, even when a listed client speaks.
Outcome DropsEleventhSender(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 11, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  Launched* server = &room->server;
  JoinInTurn(peers, server->endpoint, /*quiet_ms=*/60);  // Keep the order the server sees.
  peers[0].SendTo(server->endpoint, "last\n");
  const std::vector<Inbox> got = Collect(peers, 250);
  const Inbox want_listed = {Header(peers[0]), "last\n"};
  const std::string expected =
      "the 11th sender is not listed: it gets nothing, and \"last\" from the 1st goes to the "
      "2nd..10th only";
  if (!got[10].empty()) {
    return Fail(expected, "the 11th sender received " + Show(got[10]));
  }
  for (std::size_t i = 1; i < 10; ++i) {
    if (got[i] != want_listed) {
      return Fail(expected, "client " + std::to_string(i + 1) + " received " + Show(got[i]));
    }
  }
  return Pass();
}

// C3: after each accepted datagram the server logs `nClient: N`.
Outcome LogsClientCount(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  Launched* server = &room->server;
  for (const std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{0}}) {
    peers[i].SendTo(server->endpoint, "hi\n");
    Collect(peers, 100);
  }
  const std::vector<std::string> want = {"nClient: 1", "nClient: 2", "nClient: 2"};
  std::vector<std::string> got;
  const Deadline deadline = Deadline::In(milliseconds(1500));
  while (got.size() < want.size()) {
    std::optional<std::string> line = server->process.WaitForLineStartingWith("nClient", deadline);
    if (!line) break;
    // The lecture prints "nClient: %d \n": its trailing blank is allowed.
    while (!line->empty() && line->back() == ' ') line->pop_back();
    got.push_back(*line);
  }
  if (got == want) return Pass();
  return Fail(Show(want), Show(got));
}

// C7: the client sends each stdin line (newline included; an empty line as "\n") as one
// datagram, writes every datagram it receives raw to stdout, and after END exits 0 with its
// receiving child gone.
Outcome ClientChats(Kit& kit, Role role) {
  std::vector<UdpPeer> server = BindPeers(1);
  if (server.empty()) return Fail("a UDP socket", "bind failed");
  Launched client = kit.StartClient(role, server[0].local());
  const auto receive = [&]() -> std::optional<testing::Datagram> {
    return server[0].Receive(Deadline::In(milliseconds(3000)));
  };
  client.process.WriteStdin("hello\n");
  std::optional<testing::Datagram> first = receive();
  if (!first || first->bytes != "hello\n") {
    return Fail("datagram \"hello\\n\"", first ? Escape(first->bytes) : "nothing in 3 s");
  }
  const std::string header = "127.0.0.1: 9>> ", payload("bin\0ary\n", 8);
  server[0].SendTo(first->from, header);
  server[0].SendTo(first->from, payload);
  const std::optional<std::string> shown = client.process.ReadStdoutBytes(
      header.size() + payload.size(), Deadline::In(milliseconds(3000)));
  if (!shown || *shown != header + payload) {
    return Fail("stdout " + Escape(header + payload), shown ? Escape(*shown) : "less, in 3 s");
  }
  client.process.WriteStdin("\nEND\n");
  std::optional<testing::Datagram> empty = receive(), end = receive();
  if (!empty || empty->bytes != "\n" || !end || end->bytes != "END\n") {
    return Fail("datagrams \"\\n\", \"END\\n\"", (empty ? Escape(empty->bytes) : "none") + ", " +
                                                     (end ? Escape(end->bytes) : "none"));
  }
  const std::optional<core::WaitStatus> status =
      client.process.Wait(Deadline::In(milliseconds(3000)));
  if (!status || !status->ExitedWith(0)) {
    return Fail("exit 0 after END", status ? core::DescribeWaitStatus(*status) : "still running");
  }
  // Give a lecture-style client's SIGTERMed child a moment to die before looking for it.
  const Deadline settle = Deadline::In(milliseconds(500));
  while (!Kit::LiveLeftovers().empty() && !settle.expired()) ::poll(nullptr, 0, 10);
  if (!Kit::LiveLeftovers().empty())
    return Fail("no process left after END", "its child still runs");
  return Pass();
}

// C7: stdin EOF ends the client like END, without sending anything more: exit 0, no child left.
// Deviation: the lecture's fgets loop resends its buffer at EOF, prints `fgets: Success`, exits 1
// and leaves its child running.
Outcome ClientEndsAtEof(Kit& kit, Role role) {
  std::vector<UdpPeer> server = BindPeers(1);
  if (server.empty()) return Fail("a UDP socket", "bind failed");
  Launched client = kit.StartClient(role, server[0].local());
  client.process.WriteStdin("bye\n");
  client.process.CloseStdin();
  const std::optional<core::WaitStatus> status =
      client.process.Wait(Deadline::In(milliseconds(3000)));
  Inbox got;
  while (std::optional<testing::Datagram> d = server[0].Receive(Deadline::In(milliseconds(100)))) {
    got.push_back(d->bytes);
  }
  const Deadline settle = Deadline::In(milliseconds(300));
  while (!Kit::LiveLeftovers().empty() && !settle.expired()) ::poll(nullptr, 0, 10);
  const bool left = !Kit::LiveLeftovers().empty();
  const std::string expected = "datagrams [\"bye\\n\"], exit 0, no process left";
  const std::string observed = "datagrams " + Show(got) + ", " +
                               (status ? core::DescribeWaitStatus(*status) : "still running") +
                               (left ? ", a process left running" : "") + "; stderr " +
                               Escape(client.process.stderr_text());
  if (got == Inbox{"bye\n"} && status && status->ExitedWith(0) && !left) return Pass();
  if (client.process.stderr_text().find("fgets") != std::string::npos) {
    return Deviation("fgets loop at stdin EOF", expected, observed);
  }
  return Fail(expected, observed);
}

}  // namespace

void AddChatScenarios(std::vector<Scenario>& out) {
  const Role server = Role::kChatServer, client = Role::kChatClient;
  out.push_back({"C4", server, "relays to every other client, header first, never to the sender",
                 [=](Kit& kit) { return RelaysToOthers(kit, server); }});
  out.push_back({"C4", server, "relays an empty payload and a NUL byte as received",
                 [=](Kit& kit) { return RelaysBinaryPayloads(kit, server); }});
  out.push_back({"C1", server, "one UDP socket relays an 8191-byte datagram intact",
                 [=](Kit& kit) { return RelaysLargestDatagram(kit, server); }});
  out.push_back({"C5", server, "never removes a client: END is relayed, its sender still listed",
                 [=](Kit& kit) { return KeepsClientAfterEnd(kit, server); }});
  out.push_back({"C6", server, "a 9000-byte datagram is relayed truncated to 8191 bytes, logged",
                 [=](Kit& kit) { return TruncatesOversizedDatagram(kit, server); }});
  out.push_back({"C2", server, "capacity 10: the 11th sender is dropped",
                 [=](Kit& kit) { return DropsEleventhSender(kit, server); }});
  out.push_back({"C3", server, "logs `nClient: N` after each accepted datagram",
                 [=](Kit& kit) { return LogsClientCount(kit, server); }});
  out.push_back({"C7", client, "sends lines as datagrams, prints datagrams raw, exits 0 at END",
                 [=](Kit& kit) { return ClientChats(kit, client); }});
  out.push_back({"C7", client, "stdin EOF: exits 0, nothing more sent, no child left",
                 [=](Kit& kit) { return ClientEndsAtEof(kit, client); }});
}

}  // namespace netref::conformance

// scenarios_chat_server.cc: the UDP chat server clauses (C1-C6) as checks against any chat
// server. The kit plays the chat clients with its own UDP sockets on 127.0.0.1.
//
// Only C4.prefix-format judges the header datagram (`IP: PORT>> `) byte for byte; every other
// check reads the relays leniently (PayloadsIn), so one wrong prefix fails one check, not five.
// C6 accepts a report of the truncation in any wording, on stdout or stderr: any line the
// oversized datagram causes that a normal datagram does not.
// Must not: wait without a deadline; a missing datagram is observed as a quiet period.
#include <chrono>
#include <map>
#include <set>

#include "harness/conformance/chat_peers.h"
#include "harness/conformance/scenario.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;
using testing::UdpPeer;

// C4: the header the server sends before each relayed payload: "%s: %d>> ".
std::string Header(const UdpPeer& sender) {
  return "127.0.0.1: " + std::to_string(sender.local().port) + ">> ";
}

// The payloads in `inbox`, read leniently: a datagram that is one of the `known` payloads is
// that payload; one that ends with a known non-empty payload is a header and that payload sent
// as one datagram; anything else is taken for a header and left out.
Inbox PayloadsIn(const Inbox& inbox, const std::vector<std::string>& known) {
  Inbox payloads;
  for (const std::string& datagram : inbox) {
    for (const std::string& payload : known) {
      if (datagram == payload ||
          (!payload.empty() && datagram.size() > payload.size() &&
           datagram.compare(datagram.size() - payload.size(), payload.size(), payload) == 0)) {
        payloads.push_back(payload);
        break;
      }
    }
  }
  return payloads;
}

// Joins `peers` in order (each speaks once, its relays drained for `quiet_ms`) so that later
// rounds see only what the round itself caused, and the server lists them in this order.
std::vector<std::string> JoinInTurn(std::vector<UdpPeer>& peers, const core::Endpoint& server,
                                    int quiet_ms = 150) {
  std::vector<std::string> said;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    said.push_back("join " + std::to_string(i) + "\n");
    peers[i].SendTo(server, said.back());
    Collect(peers, quiet_ms);
  }
  return said;
}

// The chat server under test and `n` kit-played clients, not yet joined.
struct ChatRoom {
  Launched server;
  std::vector<UdpPeer> peers;
};

// Starts the server and binds `n` client sockets, which then join in turn unless `join_quiet_ms`
// is 0; on failure, nullopt with *failure set.
std::optional<ChatRoom> OpenRoom(Kit& kit, Role role, std::size_t n, Outcome* failure,
                                 int join_quiet_ms = 150) {
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
  if (join_quiet_ms > 0) JoinInTurn(peers, server->endpoint, join_quiet_ms);
  return ChatRoom{std::move(*server), std::move(peers)};
}

// C4: each payload goes to every other listed client, in list order; never back to its sender.
Outcome RelaysToOthers(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 3, &failure, /*join_quiet_ms=*/0);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  // A, then B, then C join by speaking; each waits for the previous relays to land, so the
  // order the server sees is the order sent.
  const std::vector<std::string> lines = {"from A\n", "from B\n", "from C\n"};
  std::vector<Inbox> got(3);
  for (std::size_t i = 0; i < 3; ++i) {
    peers[i].SendTo(room->server.endpoint, lines[i]);
    std::vector<Inbox> round = Collect(peers, 150);
    for (std::size_t j = 0; j < 3; ++j) {
      for (const std::string& d : PayloadsIn(round[j], lines)) got[j].push_back(d);
    }
  }
  const std::vector<Inbox> want = {{lines[1], lines[2]}, {lines[2]}, {}};
  if (got == want) return Pass();
  return Fail("A, B, C join in turn: A gets the payloads " + Show(want[0]) + ", B " +
                  Show(want[1]) + ", C " + Show(want[2]),
              "A got " + Show(got[0]) + ", B " + Show(got[1]) + ", C " + Show(got[2]));
}

// C4: payloads are relayed as received: an empty datagram and one with a NUL byte.
Outcome RelaysBinaryPayloads(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  const std::string binary("x\0y", 3);
  peers[0].SendTo(room->server.endpoint, "");
  peers[0].SendTo(room->server.endpoint, binary);
  const std::vector<Inbox> got = Collect(peers, 200);
  // The empty payload is an empty datagram: a header never is, so it cannot be mistaken.
  const Inbox want = {"", binary}, to_b = PayloadsIn(got[1], {"", binary}),
              to_a = PayloadsIn(got[0], {"", binary});
  if (to_b == want && to_a.empty()) return Pass();
  return Fail("B gets the payloads " + Show(want) + ", A nothing",
              "B got " + Show(got[1]) + ", A " + Show(got[0]));
}

// C4: before each payload comes one header datagram, exactly "%s: %d>> " (inet_ntoa and the
// decimal port of the sender).
Outcome SendsExactPrefix(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  peers[0].SendTo(room->server.endpoint, "x\n");
  const std::vector<Inbox> got = Collect(peers, 200);
  const Inbox want = {Header(peers[0]), "x\n"};
  if (got[1] == want) return Pass();
  return Fail("B gets " + Show(want), "B got " + Show(got[1]));
}

// C1: one UDP socket, datagrams up to 8191 bytes: an 8191-byte payload from A reaches B exactly,
// and the relays come from the address A sent to (the one socket, no other).
Outcome RelaysLargestDatagram(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  const core::Endpoint server = room->server.endpoint;
  std::string payload(8191, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<char>('a' + static_cast<int>(i % 26));
  }
  payload.back() = '\n';
  peers[0].SendTo(server, payload);
  Inbox got;
  for (int i = 0; i < 2; ++i) {
    std::optional<testing::Datagram> d = peers[1].Receive(Deadline::In(milliseconds(1000)));
    if (!d) break;
    got.push_back(d->bytes);
    if (!(d->from == server)) {
      return Fail("relays sent from the server's one socket " + core::FormatEndpoint(server),
                  "a relay came from " + core::FormatEndpoint(d->from));
    }
  }
  if (PayloadsIn(got, {payload}) == Inbox{payload}) return Pass();
  return Fail("B gets the 8191-byte payload whole", "B got " + Sizes(got));
}

// C5: clients are never removed: after A sends `END\n` (relayed to B like any message), a
// later message from B still reaches A. Only the other client's inbox is judged each round.
Outcome KeepsClientAfterEnd(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  peers[0].SendTo(room->server.endpoint, "END\n");
  const Inbox after_end = PayloadsIn(Collect(peers, 200)[1], {"END\n"});
  if (after_end != Inbox{"END\n"}) {
    return Fail("END is relayed like any message: B gets \"END\\n\"", "B got " + Show(after_end));
  }
  peers[1].SendTo(room->server.endpoint, "still there?\n");
  const Inbox later = PayloadsIn(Collect(peers, 200)[0], {"still there?\n"});
  if (later != Inbox{"still there?\n"}) {
    return Fail("A stays listed after END: A gets \"still there?\\n\"", "A got " + Show(later));
  }
  return Pass();
}

// The console a server printed from some point on: stdout lines and stderr lines.
struct ConsoleMark {
  std::size_t lines = 0;   // Stdout lines read so far.
  std::size_t errors = 0;  // Stderr bytes so far.
};
ConsoleMark Mark(testing::Subprocess& server) {
  return {server.lines().size(), server.stderr_text().size()};
}
// Everything printed since `mark`, after `quiet_ms` of waiting for more.
std::vector<std::string> PrintedSince(testing::Subprocess& server, const ConsoleMark& mark,
                                      int quiet_ms) {
  server.WaitForLine([](const std::string&) { return false; },
                     Deadline::In(milliseconds(quiet_ms)));
  std::vector<std::string> printed(server.lines().begin() + static_cast<std::ptrdiff_t>(mark.lines),
                                   server.lines().end());
  const std::string errors = server.stderr_text().substr(mark.errors);
  std::size_t start = 0;
  for (std::size_t end; (end = errors.find('\n', start)) != std::string::npos; start = end + 1) {
    printed.push_back(errors.substr(start, end - start));
  }
  if (start < errors.size()) printed.push_back(errors.substr(start));
  return printed;
}
// A line with its numbers blanked: "nClient: 2" and "nClient: 3" have one shape.
std::string Shape(const std::string& line) {
  std::string shape;
  for (char c : line) {
    if (c >= '0' && c <= '9') {
      if (shape.empty() || shape.back() != '#') shape += '#';
    } else {
      shape += c;
    }
  }
  return shape;
}

// C6: a 9000-byte datagram is relayed cut to its first 8191 bytes, and the server reports the
// cut: some line on stdout or stderr, in any wording, that a normal datagram does not cause.
// Deviation: the lecture's recvfrom(BUFSIZ-1) cuts the same way but says nothing.
Outcome TruncatesOversizedDatagram(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  testing::Subprocess& console = room->server.process;
  // What a normal datagram makes the server print: those kinds of line are not a report.
  ConsoleMark mark = Mark(console);
  peers[0].SendTo(room->server.endpoint, "normal\n");
  Collect(peers, 150);
  std::set<std::string> ordinary;
  for (const std::string& line : PrintedSince(console, mark, Scaled(200))) {
    ordinary.insert(Shape(line));
  }
  std::string payload(9000, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) {
    payload[i] = static_cast<char>('A' + static_cast<int>(i % 23));
  }
  mark = Mark(console);
  if (!peers[0].SendTo(room->server.endpoint, payload)) {
    return Fail("a 9000-byte datagram", "not sent");
  }
  const std::vector<Inbox> got = Collect(peers, 200);
  const std::string cut = payload.substr(0, 8191);
  if (PayloadsIn(got[1], {cut, payload}) != Inbox{cut}) {
    return Fail("B gets the payload cut to 8191 bytes", "B got " + Sizes(got[1]));
  }
  std::vector<std::string> reports;
  for (const std::string& line : PrintedSince(console, mark, Scaled(300))) {
    // A line that echoes the payload is a per-message line, not a report about it.
    if (ordinary.count(Shape(line)) == 0 && line.find(payload.substr(0, 16)) == std::string::npos) {
      reports.push_back(line);
    }
  }
  if (!reports.empty()) return Pass();
  return Deviation("truncates silently",
                   "a line on stdout or stderr that reports the cut (any wording)",
                   "relayed cut to 8191 bytes; nothing printed beyond what a normal datagram "
                   "causes");
}

// C2: capacity 10: the 11th sender is dropped: nothing it sends is relayed, and it receives
// nothing, even when a listed client speaks.
Outcome DropsEleventhSender(Kit& kit, Role role) {
  Outcome failure;
  // Short join rounds: ten of them, each only to keep the order the server sees.
  std::optional<ChatRoom> room = OpenRoom(kit, role, 11, &failure, /*join_quiet_ms=*/60);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  peers[0].SendTo(room->server.endpoint, "last\n");
  const std::vector<Inbox> got = Collect(peers, 250);
  const std::string expected =
      "the 11th sender is not listed: it gets nothing, and \"last\" from the 1st goes to the "
      "2nd..10th only";
  if (!got[10].empty()) return Fail(expected, "the 11th sender received " + Show(got[10]));
  for (std::size_t i = 1; i < 10; ++i) {
    if (PayloadsIn(got[i], {"last\n"}) != Inbox{"last\n"}) {
      return Fail(expected, "client " + std::to_string(i + 1) + " received " + Show(got[i]));
    }
  }
  return Pass();
}

// C3: after each accepted datagram the server logs `nClient: N`.
Outcome LogsClientCount(Kit& kit, Role role) {
  Outcome failure;
  std::optional<ChatRoom> room = OpenRoom(kit, role, 2, &failure, /*join_quiet_ms=*/0);
  if (!room) return failure;
  std::vector<UdpPeer>& peers = room->peers;
  for (const std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{0}}) {
    peers[i].SendTo(room->server.endpoint, "hi\n");
    Collect(peers, 100);
  }
  const std::vector<std::string> want = {"nClient: 1", "nClient: 2", "nClient: 2"};
  std::vector<std::string> got;
  const Deadline deadline = Deadline::In(milliseconds(1500));
  while (got.size() < want.size()) {
    std::optional<std::string> line =
        room->server.process.WaitForLineStartingWith("nClient", deadline);
    if (!line) break;
    // The lecture prints "nClient: %d \n": its trailing blank is allowed.
    while (!line->empty() && line->back() == ' ') line->pop_back();
    got.push_back(*line);
  }
  if (got == want) return Pass();
  return Fail(Show(want), Show(got));
}

}  // namespace

void AddChatServerScenarios(std::vector<Scenario>& out) {
  const Role role = Role::kChatServer;
  const std::pair<const char*, const char*> titles[] = {
      {"C4.others-in-order", "relays to every other client in list order, never to the sender"},
      {"C4.binary-payloads", "relays an empty payload and a NUL byte as received"},
      {"C4.prefix-format", "each payload comes after a header \"IP: PORT>> \", exactly"},
      {"C1.largest-datagram", "one UDP socket relays an 8191-byte datagram intact"},
      {"C5.end-keeps-client", "never removes a client: END is relayed, its sender still listed"},
      {"C6.truncation", "a 9000-byte datagram is relayed cut to 8191 bytes, and reported"},
      {"C2.capacity", "capacity 10: the 11th sender is dropped"},
      {"C3.count-line", "logs `nClient: N` after each accepted datagram"},
  };
  Outcome (*const checks[])(Kit&, Role) = {
      RelaysToOthers,      RelaysBinaryPayloads,       SendsExactPrefix,    RelaysLargestDatagram,
      KeepsClientAfterEnd, TruncatesOversizedDatagram, DropsEleventhSender, LogsClientCount};
  for (std::size_t i = 0; i < std::size(checks); ++i) {
    auto* check = checks[i];
    out.push_back({titles[i].first, role, titles[i].second,
                   [check, role](Kit& kit) { return check(kit, role); }});
  }
}

}  // namespace netref::conformance

// scenarios_chat_client.cc: the chat client clause (C7) as checks against any chat client. The
// kit plays the chat server with one UDP socket on 127.0.0.1 and reads what the client prints.
// Must not: wait without a deadline, or wait on a client that has already exited.
#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "harness/conformance/chat_peers.h"
#include "harness/conformance/scenario.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;
using testing::UdpPeer;

// The next datagram at `server`, waiting at most 3 s and no longer than the client runs.
std::optional<testing::Datagram> ReceiveFrom(UdpPeer& server, Launched& client) {
  const Deadline deadline = Deadline::In(milliseconds(3000));
  while (!deadline.expired()) {
    if (std::optional<testing::Datagram> d = server.Receive(Deadline::In(milliseconds(20)))) {
      return d;
    }
    client.process.PumpNow();
    if (EndedNow(client.process)) return server.Receive(Deadline::In(milliseconds(20)));
  }
  return std::nullopt;
}

// Every datagram `server` gets until the client has exited and none came for a moment (3 s at
// most), and how the client ended.
Inbox DrainUntilExit(UdpPeer& server, Launched& client, std::optional<core::WaitStatus>* status) {
  Inbox got;
  const Deadline deadline = Deadline::In(milliseconds(3000));
  while (!deadline.expired()) {
    if (std::optional<testing::Datagram> d = server.Receive(Deadline::In(milliseconds(20)))) {
      got.push_back(d->bytes);
      continue;
    }
    if ((*status = EndedNow(client.process))) break;
  }
  while (std::optional<testing::Datagram> d = server.Receive(Deadline::In(milliseconds(50)))) {
    got.push_back(d->bytes);
  }
  return got;
}

// Waits a moment for every process the client left to die (a SIGTERMed child takes a while);
// true if none is left.
bool NothingLeft(int ms) {
  const Deadline settle = Deadline::In(milliseconds(ms));
  while (!Kit::LiveLeftovers().empty() && !settle.expired()) ::usleep(5000);
  return Kit::LiveLeftovers().empty();
}

// C7: the client sends each stdin line (newline included; an empty line as "\n") as one
// datagram, writes every datagram it receives raw to stdout, and after END exits 0 with its
// receiving child gone.
Outcome ClientChats(Kit& kit, Role role) {
  std::vector<UdpPeer> server = BindPeers(1);
  if (server.empty()) return Fail("a UDP socket", "bind failed");
  Launched client = kit.StartClient(role, server[0].local());
  client.process.WriteStdin("hello\n");
  std::optional<testing::Datagram> first = ReceiveFrom(server[0], client);
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
  std::optional<testing::Datagram> empty = ReceiveFrom(server[0], client);
  std::optional<testing::Datagram> end = ReceiveFrom(server[0], client);
  if (!empty || empty->bytes != "\n" || !end || end->bytes != "END\n") {
    return Fail("datagrams \"\\n\", \"END\\n\"", (empty ? Escape(empty->bytes) : "none") + ", " +
                                                     (end ? Escape(end->bytes) : "none"));
  }
  const std::optional<core::WaitStatus> status =
      client.process.Wait(Deadline::In(milliseconds(3000)));
  if (!status || !status->ExitedWith(0)) {
    return Fail("exit 0 after END", status ? core::DescribeWaitStatus(*status) : "still running");
  }
  if (!NothingLeft(500)) return Fail("no process left after END", "its child still runs");
  return Pass();
}

// Runs the client with `input` on stdin (then EOF) and judges the datagrams, exit 0 and that
// nothing is left. `what` names the input in the report.
// Deviation: the lecture's fgets loop resends its buffer at EOF, prints `fgets: Success`, exits
// 1 and leaves its child running.
Outcome EndsAtEofAfter(Kit& kit, Role role, const std::string& input, const Inbox& want) {
  std::vector<UdpPeer> server = BindPeers(1);
  if (server.empty()) return Fail("a UDP socket", "bind failed");
  Launched client = kit.StartClient(role, server[0].local());
  client.process.WriteStdin(input);
  client.process.CloseStdin();
  std::optional<core::WaitStatus> status;
  const Inbox got = DrainUntilExit(server[0], client, &status);
  const bool left = !NothingLeft(300);
  const std::string err = client.process.stderr_text();
  const std::string expected = "for stdin " + Escape(input) + " then EOF: datagrams " + Show(want) +
                               ", exit 0, no "
                               "process left";
  const std::string observed = "datagrams " + Show(got) + ", " +
                               (status ? core::DescribeWaitStatus(*status) : "still running") +
                               (left ? ", a process left running" : "") + "; stderr " + Escape(err);
  if (got == want && status && status->ExitedWith(0) && !left) return Pass();
  if (err.find("fgets") != std::string::npos) {
    return Deviation("fgets loop at stdin EOF", expected, observed);
  }
  return Fail(expected, observed);
}

// C7: a 10 000-byte line reaches the server whole: every byte, in order, in one datagram or in
// fgets-sized pieces (the lecture's fgets(buff, BUFSIZ-1) sends pieces of 8190 bytes).
Outcome SendsLongLine(Kit& kit, Role role) {
  std::vector<UdpPeer> server = BindPeers(1);
  if (server.empty()) return Fail("a UDP socket", "bind failed");
  std::string line(10000, 'x');
  for (std::size_t i = 0; i < line.size(); ++i) line[i] = static_cast<char>('a' + i % 26);
  line += '\n';
  Launched client = kit.StartClient(role, server[0].local());
  client.process.WriteStdin(line + "END\n");
  client.process.CloseStdin();
  std::string joined;
  std::string sizes;
  while (std::optional<testing::Datagram> d = ReceiveFrom(server[0], client)) {
    if (d->bytes == "END\n") break;
    joined += d->bytes;
    sizes += (sizes.empty() ? "" : ", ") + std::to_string(d->bytes.size());
    if (joined.size() >= line.size()) break;
  }
  if (joined == line) return Pass();
  return Fail("the 10001 bytes of the line (newline included), in order",
              std::to_string(joined.size()) + " bytes in datagrams of " +
                  (sizes.empty() ? "no" : sizes) + " bytes");
}

// C7: a chat client whose parent is killed (SIGKILL: no handler runs) leaves no process behind:
// its receiving child ends too.
// Deviation: the lecture's child is an orphan that keeps reading the socket forever.
Outcome ChildDiesWithParent(Kit& kit, Role role) {
  std::vector<UdpPeer> server = BindPeers(1);
  if (server.empty()) return Fail("a UDP socket", "bind failed");
  Launched client = kit.StartClient(role, server[0].local());
  client.process.WriteStdin("hello\n");
  if (!ReceiveFrom(server[0], client)) return Fail("datagram \"hello\\n\"", "nothing in 3 s");
  const std::optional<pid_t> parent = ProgramPid(client.process.pid());
  if (!parent) return Fail("the client runs", "it is gone");
  ::kill(*parent, SIGKILL);  // A process the kit started, by pid.
  client.process.Wait(Deadline::In(milliseconds(2000)));
  if (NothingLeft(Scaled(1000))) return Pass();
  return Deviation("orphans its child when killed",
                   "no process left within 1 s of SIGKILL to the parent",
                   std::to_string(Kit::LiveLeftovers().size()) + " process(es) still running");
}

}  // namespace

void AddChatClientScenarios(std::vector<Scenario>& out) {
  const Role role = Role::kChatClient;
  out.push_back({"C7.chat", role, "sends lines as datagrams, prints datagrams raw, exits 0 at END",
                 [=](Kit& kit) { return ClientChats(kit, role); }});
  out.push_back({"C7.eof", role, "stdin EOF: exits 0, nothing more sent, no child left",
                 [=](Kit& kit) { return EndsAtEofAfter(kit, role, "bye\n", {"bye\n"}); }});
  out.push_back({"C7.end-without-newline", role, "`END` at EOF without a newline: sent, exit 0",
                 [=](Kit& kit) {
                   return EndsAtEofAfter(kit, role, "hi\nEND", {"hi\n", "END"});
                 }});
  out.push_back({"C7.long-line", role, "a 10000-byte line reaches the server whole",
                 [=](Kit& kit) { return SendsLongLine(kit, role); }});
  out.push_back({"C7.parent-killed", role, "SIGKILL to the parent leaves no process behind",
                 [=](Kit& kit) { return ChildDiesWithParent(kit, role); }});
}

}  // namespace netref::conformance

// scenarios_test_client.cc: the test client clause (T5) as checks against any test client.
//
// The kit plays the echo server. T5 fixes what goes on the wire (each line without its
// newline, short lines skipped, nothing after END) and that the client reads back and prints
// each echo; it does not fix the wording around a printed echo, so `Server: hello` is as good
// as `hello`. Each check judges one of these and is lenient about the others: the wire checks
// other than T5.no-newline-on-wire ignore newlines, and the printed lines are matched as
// PREFIX + echo + SUFFIX with the decoration learnt from the first echo line.
// Must not: wait without a deadline, or judge a client by wording the spec leaves open.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "harness/conformance/scenario.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;

// The kit's side of T5: an echo server on 127.0.0.1:0 that records what the client sent, run in
// the kit's own single-threaded poll loop while the client runs.
struct ClientRun {
  std::string received;     // Every byte the client sent, in order.
  bool closed = false;      // The client closed (or reset) its connection.
  std::string stdout_text;  // What the client printed.
  std::string stderr_text;
  std::optional<core::WaitStatus> status;  // nullopt: still running when the kit stopped.
};

struct ClientInput {
  std::string stdin_text;
  bool keep_stdin_open = false;  // To see that END, not EOF, ends the client.
  bool swap_case = false;        // Answer each byte with its case swapped: what is printed must be
                                 // what came back, not what was sent.
};

std::string SwapCase(std::string bytes) {
  for (char& c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    c = static_cast<char>(std::islower(u) ? std::toupper(u) : std::tolower(u));
  }
  return bytes;
}

ClientRun RunTestClient(Kit& kit, Role role, const ClientInput& input) {
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
  client.process.WriteStdin(input.stdin_text);
  if (!input.keep_stdin_open) client.process.CloseStdin();
  int connection = -1;
  // The run ends when the client has exited and closed, or has done nothing for a while (a
  // client blocked on an echo that will never come), or at the overall deadline.
  const Deadline deadline = Deadline::In(milliseconds(6000));
  Deadline idle = Deadline::In(milliseconds(1500));
  while (!deadline.expired() && !idle.expired()) {
    pollfd p{connection >= 0 ? connection : listener, POLLIN, 0};
    if (::poll(&p, 1, 10) > 0) {
      idle = Deadline::In(milliseconds(1500));
      if (connection < 0) {
        connection = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      } else {
        char buffer[8192];
        const ssize_t n = ::recv(connection, buffer, sizeof buffer, 0);
        if (n > 0) {
          std::string echo(buffer, static_cast<std::size_t>(n));
          run.received += echo;
          if (input.swap_case) echo = SwapCase(echo);
          ::send(connection, echo.data(), echo.size(), MSG_NOSIGNAL);
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          run.closed = true;  // An orderly close, or a reset (the client left echoes unread).
          ::close(connection);
          connection = -1;  // Served; the listener is polled again (no second client comes).
        }
      }
    }
    client.process.PumpNow();
    if (!run.status) run.status = EndedNow(client.process);
    if (run.status && (run.closed || connection < 0)) break;
  }
  if (connection >= 0) ::close(connection);
  ::close(listener);
  run.stdout_text = client.process.ReadStdoutToEof(Deadline::In(milliseconds(300)));
  run.stderr_text = client.process.stderr_text();
  return run;
}

std::string WithoutNewlines(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '\n'), text.end());
  return text;
}

std::string Describe(const ClientRun& run) {
  return "sent " + Escape(run.received) + ", printed " + Escape(run.stdout_text) + ", " +
         (run.status ? core::DescribeWaitStatus(*run.status) : "still running") +
         (run.stderr_text.empty() ? "" : "; stderr " + Escape(run.stderr_text));
}

bool ExitedCleanly(const ClientRun& run) { return run.status && run.status->ExitedWith(0); }

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t newline; (newline = text.find('\n', start)) != std::string::npos;) {
    lines.push_back(text.substr(start, newline - start));
    start = newline + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// The printed echo lines: the first line that contains echoes[0] fixes PREFIX and SUFFIX (any
// banner before it is ignored); from there, line i must be PREFIX + echoes[i] + SUFFIX.
// Returns how many echoes matched in a row, and whether a first echo line was found at all.
struct EchoLines {
  bool found = false;
  std::size_t matched = 0;
  std::vector<std::string> after;  // The lines after the matched ones.
};
EchoLines MatchEchoLines(const std::string& printed, const std::vector<std::string>& echoes) {
  EchoLines result;
  const std::vector<std::string> lines = Lines(printed);
  std::size_t first = 0;
  std::size_t at = std::string::npos;
  for (; first < lines.size(); ++first) {
    if ((at = lines[first].find(echoes[0])) != std::string::npos) break;
  }
  if (first == lines.size()) return result;
  result.found = true;
  const std::string prefix = lines[first].substr(0, at);
  const std::string suffix = lines[first].substr(at + echoes[0].size());
  std::size_t line = first;
  while (result.matched < echoes.size() && line < lines.size() &&
         lines[line] == prefix + echoes[result.matched] + suffix) {
    ++result.matched;
    ++line;
  }
  result.after.assign(lines.begin() + static_cast<std::ptrdiff_t>(line), lines.end());
  return result;
}

// T5: each line goes on the wire without its newline: "hello\nworld\nEND\n" sends exactly
// "helloworldEND".
Outcome SendsWithoutNewline(Kit& kit, Role role) {
  const std::string input = "hello\nworld\nEND\n";
  const ClientRun run = RunTestClient(kit, role, {input});
  if (run.received == "helloworldEND") return Pass();
  return Fail("for stdin " + Escape(input) + ": sent \"helloworldEND\"", Describe(run));
}

// T5: a line shorter than 2 bytes with its newline is skipped: nothing is sent for it and no
// echo is printed for it. (The lecture's client blocks reading an echo of 0 bytes if it does
// not skip; a client that reads exactly 0 bytes prints an empty echo line.)
Outcome SkipsShortLines(Kit& kit, Role role) {
  const std::string input = "hello\n\na\n\nEND\n";
  const ClientRun run = RunTestClient(kit, role, {input});
  const std::string expected = "for stdin " + Escape(input) +
                               ": sent \"helloaEND\" (newlines aside), one echo line each for "
                               "\"hello\" and \"a\", nothing for the empty lines, exit 0";
  if (WithoutNewlines(run.received) != "helloaEND" || !ExitedCleanly(run)) {
    return Fail(expected, Describe(run));
  }
  const EchoLines lines = MatchEchoLines(run.stdout_text, {"hello", "a"});
  if (lines.found && lines.matched < 2) return Fail(expected, Describe(run));
  return Pass();  // Whether it prints echoes at all is T5.prints-echoes' business.
}

// T5: the client reads back and prints each echo, one line each, in any fixed wording. The
// kit's server answers with the case swapped, so the lines must show what came back.
Outcome PrintsEchoes(Kit& kit, Role role) {
  const std::string input = "hello\nworld\nEND\n";
  const ClientRun run = RunTestClient(kit, role, {input, false, true});
  const EchoLines lines = MatchEchoLines(run.stdout_text, {"HELLO", "WORLD"});
  if (lines.matched == 2) return Pass();
  return Fail("for stdin " + Escape(input) +
                  " and a server that answers \"HELLO\", \"WORLD\": a line with each answer, "
                  "in one wording (`HELLO`, `Server: HELLO`, ...)",
              Describe(run));
}

// T5: END ends the client: it closes and exits 0 though stdin stays open and holds more lines,
// which are never sent.
Outcome StopsAtEnd(Kit& kit, Role role) {
  const std::string input = "hello\nEND\nafter\n";
  const ClientRun run = RunTestClient(kit, role, {input, true});
  if (WithoutNewlines(run.received) == "helloEND" && run.closed && ExitedCleanly(run)) {
    return Pass();
  }
  return Fail("for stdin " + Escape(input) +
                  " (kept open): sent \"helloEND\", closed, exited with status 0",
              Describe(run));
}

// T5: stdin EOF (no END) closes the connection and exits 0.
// Deviation: the lecture's fgets loop ignores EOF and keeps sending what is left in its buffer.
Outcome EndsAtEof(Kit& kit, Role role) {
  const ClientRun run = RunTestClient(kit, role, {"hi\n"});
  const std::string expected = "for stdin \"hi\\n\" then EOF: sent \"hi\", exited with status 0";
  if (WithoutNewlines(run.received) == "hi" && ExitedCleanly(run)) return Pass();
  if (!run.status && run.received.size() > 2 && run.received.rfind("hi", 0) == 0) {
    return Deviation("loops at stdin EOF", expected, Describe(run));
  }
  return Fail(expected, Describe(run));
}

// T5: a last line without its newline counts by its own bytes: `END` at EOF is END.
// Deviation: the lecture sends readLen-1 bytes of every line, so an unterminated `END` goes out
// as `EN` (and is not taken for END).
Outcome EndWithoutNewline(Kit& kit, Role role) {
  const std::string input = "hi\nEND";
  const ClientRun run = RunTestClient(kit, role, {input});
  const std::string expected = "for stdin " + Escape(input) + " then EOF: sent \"hiEND\", exit 0";
  const std::string sent = WithoutNewlines(run.received);
  if (sent == "hiEND" && ExitedCleanly(run)) return Pass();
  if (sent.rfind("hiEN", 0) == 0 && sent.rfind("hiEND", 0) != 0) {
    return Deviation("drops the last byte of an unterminated line", expected, Describe(run));
  }
  return Fail(expected, Describe(run));
}

// T5: a line longer than the lecture's buffer (10 000 bytes) is sent whole.
// Deviation: the lecture's fgets(wBuff, BUFSIZ-1) cuts it into pieces of 8190 bytes and sends
// each without its last byte.
Outcome SendsLongLineWhole(Kit& kit, Role role) {
  std::string line(10000, 'x');
  for (std::size_t i = 0; i < line.size(); ++i) line[i] = static_cast<char>('a' + i % 26);
  const ClientRun run = RunTestClient(kit, role, {line + "\nEND\n"});
  const std::string want = line + "END";
  const std::string sent = WithoutNewlines(run.received);
  const std::string expected = "a 10000-byte line sent whole, then \"END\", exit 0";
  const std::string observed = "sent " + std::to_string(sent.size()) + " bytes " +
                               Escape(sent, 60) + ", " +
                               (run.status ? core::DescribeWaitStatus(*run.status) : "running");
  if (sent == want && ExitedCleanly(run)) return Pass();
  if (sent.size() < want.size() && sent.size() + 4 >= want.size() && sent.rfind("abc", 0) == 0) {
    return Deviation("cuts lines over 8190 bytes", expected, observed);
  }
  return Fail(expected, observed);
}

}  // namespace

void AddTestClientScenarios(std::vector<Scenario>& out) {
  const Role role = Role::kTestClient;
  const std::pair<const char*, const char*> titles[] = {
      {"T5.no-newline-on-wire", "each line is sent without its newline"},
      {"T5.skip-short-lines", "lines shorter than 2 bytes are neither sent nor echoed"},
      {"T5.prints-echoes", "prints each echo read back, one line each, in any wording"},
      {"T5.stops-at-end", "END closes and exits 0; later lines are not sent"},
      {"T5.eof", "stdin EOF: closes and exits 0"},
      {"T5.end-without-newline", "`END` at EOF without a newline ends like END"},
      {"T5.long-line", "a 10000-byte line is sent whole"},
  };
  Outcome (*const checks[])(Kit&, Role) = {SendsWithoutNewline, SkipsShortLines, PrintsEchoes,
                                           StopsAtEnd,          EndsAtEof,       EndWithoutNewline,
                                           SendsLongLineWhole};
  for (std::size_t i = 0; i < std::size(checks); ++i) {
    auto* check = checks[i];
    out.push_back({titles[i].first, role, titles[i].second,
                   [check, role](Kit& kit) { return check(kit, role); }});
  }
}

}  // namespace netref::conformance

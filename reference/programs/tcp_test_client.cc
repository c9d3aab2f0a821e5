// tcp_test_client: the lecture's test client (tcptestclnt.c). Clauses: G1, T5.
//
// Reads stdin lines; skips a line shorter than 2 bytes with its newline; sends each other line
// without its newline; reads back and prints its echo (as many bytes as were sent: TCP has no
// message boundaries). After sending END it reads END's echo back too (unprinted, as the
// lecture prints none) and only then closes, so the server reads an orderly EOF instead of a
// reset; it exits 0. Stdin EOF closes and exits 0.
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "reference/core/echo_collector.h"
#include "reference/core/lecture_limits.h"
#include "reference/core/line_framer.h"
#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"
#include "reference/posix/inet_socket.h"
#include "reference/posix/sigpipe_policy.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

// Sends one message and reads its echo back; prints it, followed by a newline (the message's
// own newline was not sent), unless the message is END. A socket closed with END's echo unread
// (or before it came) is reset, and the server would log `read: Connection reset by peer`.
absl::Status SendAndPrintEcho(int server_fd, const std::string& message) {
  if (absl::Status sent = posix::WriteAll(server_fd, message); !sent.ok()) return sent;
  const bool print = message != "END";
  core::EchoCollector collector;
  collector.Expect(message.size());
  char buffer[core::kLectureBufsiz];
  while (collector.waiting()) {
    absl::StatusOr<std::size_t> n = posix::ReadSome(server_fd, buffer, sizeof buffer);
    if (!n.ok()) return n.status();
    if (*n == 0) return absl::UnavailableError("the server closed the connection mid-echo");
    for (std::string& echo : collector.Feed(std::string_view(buffer, *n))) {
      if (!print) continue;
      echo.push_back('\n');
      if (absl::Status shown = posix::WriteAll(STDOUT_FILENO, echo); !shown.ok()) return shown;
    }
  }
  return absl::OkStatus();
}

absl::Status RunClient(int server_fd) {
  core::TestClientFramer framer;
  char buffer[core::kLectureBufsiz];
  while (!framer.ended()) {
    absl::StatusOr<std::size_t> n = posix::ReadSome(STDIN_FILENO, buffer, sizeof buffer);
    if (!n.ok()) return n.status();
    const bool eof = *n == 0;
    for (const std::string& message :
         eof ? framer.Finish() : framer.Feed(std::string_view(buffer, *n))) {
      if (absl::Status status = SendAndPrintEcho(server_fd, message); !status.ok()) return status;
    }
    if (eof) break;
  }
  return absl::OkStatus();  // The socket closes as RunClient's caller returns.
}

}  // namespace
}  // namespace netref::programs

int main(int argc, char** argv) {
  using namespace netref;
  const core::ProgramConfig config =
      programs::ParseArgsOrExit(core::Program::kTestClient, argc, argv);
  posix::IgnoreSigpipe();
  absl::StatusOr<posix::UniqueFd> server = posix::ConnectTcp(config.endpoint);
  if (!server.ok()) return programs::Fail(server.status());
  if (absl::Status status = programs::RunClient(server->get()); !status.ok()) {
    return programs::Fail(status);
  }
  return 0;
}

// echo_loop.cc
#include "reference/posix/echo_loop.h"

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "reference/core/echo_session.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"

namespace netref::posix {

SessionEnd ServeEchoSession(int client_fd, const core::Endpoint& peer, const Console& console,
                            bool quiet) {
  core::EchoSession session(peer.port, quiet);
  char buffer[core::kMaxRead];  // G4: BUFSIZ-1 bytes a read.
  while (true) {
    Console::Flush();  // The session waits for its client: the lines so far go out first.
    absl::StatusOr<std::size_t> n = ReadSome(client_fd, buffer, sizeof buffer);
    absl::Status failed = n.status();
    if (n.ok() && *n == 0) {
      console.Line(session.OnEof());
      return SessionEnd::kPeerClosed;
    }
    if (n.ok()) {
      core::EchoStep step = session.OnRead(std::string_view(buffer, *n));
      if (!quiet) console.Detail(step.console_line);
      Console::Flush();  // A reply to a client that does not read may wait.
      failed = WriteAll(client_fd, step.reply);
      if (failed.ok()) continue;
    }
    // T2: a reset or a vanished peer ends the session, never the server.
    Console::Error(absl::StrCat("Client(", peer.port, "): ", MessageOf(failed)));
    console.Line(session.OnEof());
    return SessionEnd::kPeerFailed;
  }
}

}  // namespace netref::posix

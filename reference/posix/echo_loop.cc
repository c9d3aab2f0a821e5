// echo_loop.cc
#include "reference/posix/echo_loop.h"

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "reference/core/echo_session.h"
#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"
#include "reference/posix/inet_socket.h"

namespace netref::posix {

SessionEnd ServeEchoSession(int client_fd, const core::Endpoint& peer, const Console& console,
                            bool quiet, int cancel_fd) {
  core::EchoSession session(peer.port, quiet);
  const auto fail = [&](const absl::Status& status) {
    Console::Error(absl::StrCat("Client(", peer.port, "): ", MessageOf(status)));
    console.Line(session.OnEof());
    return SessionEnd::kPeerFailed;
  };
  if (cancel_fd >= 0) {
    if (absl::Status status = SetNonBlocking(client_fd, true); !status.ok()) return fail(status);
  }
  char buffer[core::kMaxRead];  // G4: BUFSIZ-1 bytes a read.
  while (true) {
    if (cancel_fd >= 0) {
      absl::StatusOr<bool> readable = WaitReadable(client_fd, cancel_fd);
      if (!readable.ok()) return fail(readable.status());
      if (!*readable) return SessionEnd::kCancelled;
    }
    absl::StatusOr<std::size_t> n = ReadSome(client_fd, buffer, sizeof buffer);
    if (!n.ok() && ErrnoOf(n.status()) == EAGAIN) continue;  // A spurious wake-up.
    if (!n.ok()) return fail(n.status());
    if (*n == 0) {
      console.Line(session.OnEof());
      return SessionEnd::kPeerClosed;
    }
    core::EchoStep step = session.OnRead(std::string_view(buffer, *n));
    if (!quiet) console.Detail(step.console_line);
    if (absl::Status status = WriteAll(client_fd, step.reply, cancel_fd); !status.ok()) {
      if (absl::IsCancelled(status)) return SessionEnd::kCancelled;
      return fail(status);
    }
  }
}

}  // namespace netref::posix

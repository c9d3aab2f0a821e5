// udp_chat_client: the lecture's forking chat client (ChatClient.c). Clauses: G1, C7.
//
// One UDP socket, shared by two processes after fork: the child (the receiver) writes every
// datagram it receives to stdout, raw; the parent (the sender) sends each stdin line, newline
// included, as one datagram (framing: core/chat_input.h). After sending END, or at stdin EOF,
// the parent ends the child with SIGTERM, reaps it and exits 0. SIGTERM, SIGINT or SIGHUP to
// the parent end the child the same way, then the parent dies by that same signal (as the
// lecture's client would, minus the orphan it leaves).
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "reference/core/chat_input.h"
#include "reference/core/lecture_limits.h"
#include "reference/posix/child_reaper.h"
#include "reference/posix/coverage_flush.h"
#include "reference/posix/datagram.h"
#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"
#include "reference/posix/fork_child.h"
#include "reference/posix/inet_socket.h"
#include "reference/posix/signal_action.h"
#include "reference/posix/sigpipe_policy.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

// The child: receive, write to stdout, forever. It never returns. C7: no orphan, even if the
// parent dies by SIGKILL and so cannot end us: ForkChild gave it PR_SET_PDEATHSIG (SIGKILL).
[[noreturn]] void RunReceiver(int fd) {
  const auto end = [](int status) {
    posix::FlushCoverage();
    // _exit: no stdio or atexit state of the parent's to run. (Never counted: the counters
    // were written just above.)
    ::_exit(status);  // GCOVR_EXCL_LINE
  };
  while (true) {
    absl::StatusOr<std::optional<posix::ReceivedDatagram>> received =
        posix::ReceiveDatagram(fd, core::kMaxRead, /*block=*/true);
    if (!received.ok()) {
      posix::Console::Error(posix::MessageOf(received.status()));
      end(1);  // The lecture's errProc("read").
    }
    // Raw, as the lecture's write(1, buff, nRecv): the prefix datagram and the payload datagram
    // arrive separately and are written one after the other. These are the chat's bytes, not
    // console lines: they are written whole, waiting for the reader as the lecture does.
    if (!posix::WriteAll(STDOUT_FILENO, (*received)->bytes).ok()) end(1);  // stdout gone.
  }
}

// How the sender's loop ended.
struct SenderEnd {
  absl::Status status;  // Not OK: a send or stdin error, or the receiver died.
  int signal = 0;       // SIGTERM, SIGINT or SIGHUP if one ended it.
};

// The parent: stdin lines to datagrams until END, EOF, a signal, or the child's death. It polls
// stdin itself (stdin may be a regular file, which epoll refuses).
SenderEnd RunSender(int fd, const core::Endpoint& server, posix::SignalBridge& signals) {
  core::ChatInputFramer framer;
  char buffer[core::kLectureBufsiz];
  while (!framer.ended()) {
    pollfd fds[2] = {{signals.wake_fd(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (posix::RetryOnEintr([&] { return ::poll(fds, 2, -1); }) < 0) {
      return {posix::ErrnoError(errno, "poll")};
    }
    if ((fds[0].revents & POLLIN) != 0) {
      const posix::SignalCounts counts = signals.Take();
      for (int signal : {SIGTERM, SIGINT, SIGHUP}) {
        if (counts.of(signal) > 0) return {absl::OkStatus(), signal};
      }
      if (counts.of(SIGCHLD) > 0) return {absl::UnavailableError("the receiving process ended")};
    }
    if (fds[1].revents == 0) continue;
    absl::StatusOr<std::size_t> n = posix::ReadSome(STDIN_FILENO, buffer, sizeof buffer);
    if (!n.ok()) return {n.status()};
    const bool eof = *n == 0;
    for (const std::string& datagram :
         eof ? framer.Finish() : framer.Feed(std::string_view(buffer, *n))) {
      if (absl::Status sent = posix::SendDatagram(fd, server, datagram); !sent.ok()) {
        return {sent};  // The lecture's errProc("write").
      }
    }
  }
  return {absl::OkStatus()};  // C7: END sent, or stdin EOF.
}

}  // namespace
}  // namespace netref::programs

int main(int argc, char** argv) {
  using namespace netref;
  const core::ProgramConfig config =
      programs::ParseArgsOrExit(core::Program::kChatClient, argc, argv);
  posix::IgnoreSigpipe();
  // Before the fork, so the child starts with default actions (ForkChild).
  absl::StatusOr<posix::SignalBridge*> signals =
      programs::InstallSignals({{SIGTERM, posix::SignalUse::kStop},
                                {SIGINT, posix::SignalUse::kStop},
                                {SIGHUP, posix::SignalUse::kStop},
                                {SIGCHLD, posix::SignalUse::kNotice}});
  if (!signals.ok()) return programs::Fail(signals.status());
  // Bound before the fork (the lecture binds implicitly at the first sendto), so the child
  // receives on the same port the parent sends from, whichever runs first.
  absl::StatusOr<posix::UniqueFd> socket = posix::BindUdp({core::kAnyAddress, 0});
  if (!socket.ok()) return programs::Fail(socket.status());
  const pid_t pid = posix::ForkChild(*signals, SIGKILL);
  if (pid == 0) programs::RunReceiver(socket->get());
  if (pid < 0) return programs::Fail(posix::ErrnoError(errno, "fork"));
  posix::ChildHandle receiver(pid);  // Must reap: destroyed unreaped, it kills and reaps.
  const programs::SenderEnd end = programs::RunSender(socket->get(), config.endpoint, **signals);
  (void)receiver.Signal(SIGTERM);  // The lecture's kill(pid, SIGTERM); then, unlike it, reap.
  (void)receiver.Wait();
  if (end.signal != 0) {
    // Die by the signal that was sent to us, so whoever waits for us sees why we ended.
    (void)posix::SetDefaultAction(end.signal);
    posix::FlushCoverage();  // A death by a signal runs no exit handler.
    ::raise(end.signal);  // GCOVR_EXCL_LINE: after the counters are written, never counted.
  }
  if (!end.status.ok()) return programs::Fail(end.status);
  return 0;
}

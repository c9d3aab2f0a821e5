// tcp_echo_prefork: a pre-forked pool of echo workers, the reference design the lecture points
// at ("usually one forks per unit of work, not per client"). Clauses: G1-G5, T2, B1.
//
// The parent listens, forks --workers N workers (default 4) and then only supervises: it reaps a
// worker that dies and starts a replacement (core::RespawnPolicy: a worker that keeps dying as
// it starts makes the pool pause, then give up, instead of forking in a loop), and on SIGTERM or
// SIGINT shuts the listener down, ends and reaps them all (G5). Each worker accepts on the
// shared listening socket and serves one client at a time (T2), so N clients are served at once
// and later ones wait in the backlog. Must not: accept in the parent.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "reference/core/console_lines.h"
#include "reference/core/respawn_policy.h"
#include "reference/posix/child_reaper.h"
#include "reference/posix/coverage_flush.h"
#include "reference/posix/echo_loop.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fork_child.h"
#include "reference/posix/server_loop.h"
#include "reference/posix/sigpipe_policy.h"
#include "reference/programs/program_main.h"

namespace netref::programs {
namespace {

// The pool accepts as fast as its workers free up; a deep backlog holds the clients that wait.
constexpr int kBacklog = 128;
constexpr std::chrono::milliseconds kShutdownGrace{2000};
constexpr std::chrono::milliseconds kForkRetry{100};  // After a failed fork (EAGAIN).

using Clock = posix::ServerLoop::Clock;

std::int64_t MillisecondsOf(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// A worker's life: accept, serve to the end, accept again, until the pool closes. Its SIGTERM
// keeps the default action (ForkChild), so the parent ends it with a signal at any point.
[[noreturn]] void RunWorker(posix::Acceptor& acceptor, const core::ProgramConfig& config,
                            const posix::Console& console) {
  const auto end = [](int status) {
    posix::Console::Flush();  // _exit runs no exit handler.
    posix::FlushCoverage();
    ::_exit(status);  // GCOVR_EXCL_LINE: after the counters are written, never counted.
  };
  // The listener is shared, and blocking. Each worker waits in accept itself, so the kernel
  // hands a new connection to exactly one idle worker, not the whole pool (the thundering herd)
  // nor the few an EPOLLEXCLUSIVE wake-up may reach, whose accepts would then find nothing.
  acceptor.RenewReserve();  // Below the fds the worker will use, now that the parent's are closed.
  posix::ServerLoop::Options options;
  options.accept_batch = 1;  // One client at a time, served to the end.
  options.wait_in_accept = true;
  absl::StatusOr<posix::ServerLoop> loop =
      posix::ServerLoop::Create(/*signals=*/nullptr, &acceptor, options);
  if (!loop.ok()) {
    posix::Console::Error(posix::MessageOf(loop.status()));
    end(1);  // The parent logs the exit; RespawnPolicy decides whether to try again.
  }
  posix::ServerLoop::Handlers handlers;
  handlers.on_client = [&](posix::AcceptOutcome& client) {
    console.Line(core::ConnectedLine(client.peer));
    posix::ServeEchoSession(client.client.get(), client.peer, console, config.quiet);
  };
  while (true) {
    absl::StatusOr<posix::SignalCounts> turn = loop->Turn(handlers);
    if (turn.ok()) continue;
    // G5: the parent shut the listener down; accept now fails with EINVAL. The pool is closing.
    if (!acceptor.listening()) end(0);
    posix::Console::Error(posix::MessageOf(turn.status()));
    end(1);  // A fatal accept error is a bug; the parent logs the exit and replaces us.
  }
}

// The workers the supervisor owns, and when it may start the next one.
class Pool {
 public:
  Pool(const core::ProgramConfig& config, posix::Acceptor& acceptor, posix::ServerLoop& loop,
       posix::SignalBridge& signals, const posix::Console& console)
      : config_(config), acceptor_(acceptor), loop_(loop), signals_(signals), console_(console) {}

  // Starts workers until the pool is full, as far as the respawn policy and fork allow.
  void StartMissing(Clock::time_point now) {
    while (short_handed() && MillisecondsOf(now) >= respawn_.next_start_ms() &&
           now >= fork_retry_at_) {
      // With a death signal: an orphaned worker would hold the port forever.
      const pid_t pid = posix::ForkChild(&signals_, SIGTERM);
      if (pid == 0) {
        loop_.CloseInChild();
        RunWorker(acceptor_, config_, console_);
      }
      if (pid < 0) {  // The pool runs short meanwhile; it does not stop.
        posix::Console::Error(posix::MessageOf(posix::ErrnoError(errno, "fork")));
        fork_retry_at_ = now + kForkRetry;
        return;
      }
      workers_.Add(pid);
      started_ms_[pid] = MillisecondsOf(now);
    }
  }

  // When the supervisor must wake to start a worker the pool still lacks (nullopt: never).
  std::optional<Clock::time_point> next_start() const {
    if (!short_handed()) return std::nullopt;
    return std::max(fork_retry_at_,
                    Clock::time_point(std::chrono::milliseconds(respawn_.next_start_ms())));
  }

  // The kernel merges SIGCHLDs: reaps every dead worker and tells the respawn policy. An error
  // once the policy gives up.
  absl::Status ReapDead() {
    const std::int64_t reaped_ms = MillisecondsOf(Clock::now());
    for (const posix::ReapedChild& worker : workers_.ReapExited()) {
      respawn_.OnDeath(started_ms_[worker.pid], reaped_ms);
      started_ms_.erase(worker.pid);
      posix::Console::Error(absl::StrCat("worker ", worker.pid, " ",
                                         core::DescribeWaitStatus(worker.status),
                                         respawn_.given_up() ? "" : "; starting another"));
    }
    if (!respawn_.given_up()) return absl::OkStatus();
    return absl::UnavailableError(absl::StrCat(
        "workers keep dying as they start (", respawn_.failed_in_a_row(), " in a row): giving up"));
  }

  // G5: shut the listener down for the whole pool first (a worker that does not die at once,
  // stopped or busy, must not go on accepting through the grace), then end the workers (one
  // mid-session is cut off, as the fork server's children are) and reap them all.
  void Stop() {
    acceptor_.StopListening();
    workers_.TerminateAll(SIGTERM, kShutdownGrace);
  }

 private:
  bool short_handed() const { return workers_.live() < static_cast<std::size_t>(config_.workers); }

  const core::ProgramConfig& config_;
  posix::Acceptor& acceptor_;
  posix::ServerLoop& loop_;
  posix::SignalBridge& signals_;
  const posix::Console& console_;
  posix::ChildReaper workers_;  // Any way out ends and reaps every worker.
  core::RespawnPolicy respawn_;
  std::map<pid_t, std::int64_t> started_ms_;
  Clock::time_point fork_retry_at_{};
};

absl::Status Supervise(Pool& pool, posix::ServerLoop& loop) {
  while (true) {
    pool.StartMissing(Clock::now());
    absl::StatusOr<posix::SignalCounts> turn =
        loop.Turn(posix::ServerLoop::Handlers(), pool.next_start());
    if (!turn.ok()) return turn.status();
    if (turn->stop()) break;
    if (turn->of(SIGCHLD) == 0) continue;
    if (absl::Status reaped = pool.ReapDead(); !reaped.ok()) return reaped;
  }
  pool.Stop();
  return absl::OkStatus();
}

}  // namespace
}  // namespace netref::programs

int main(int argc, char** argv) {
  using namespace netref;
  const core::ProgramConfig config =
      programs::ParseArgsOrExit(core::Program::kPreforkEchoServer, argc, argv);
  posix::IgnoreSigpipe();
  const posix::Console console(config.quiet);
  posix::Console::HoldUntilWait();  // Every wait of this server flushes first (console.h).
  console.Line(core::ServerStartLine());
  absl::StatusOr<posix::SignalBridge*> signals =
      programs::InstallSignals({{SIGTERM, posix::SignalUse::kStop},
                                {SIGINT, posix::SignalUse::kStop},
                                {SIGCHLD, posix::SignalUse::kNotice}});
  if (!signals.ok()) return programs::Fail(signals.status());
  absl::StatusOr<programs::Listening> listening =
      programs::Listen(config, programs::kBacklog, posix::ClientSockets::kBlocking,
                       posix::ListenerWaits::kInAccept);  // The workers wait in accept.
  if (!listening.ok()) return programs::Fail(listening.status());
  // The supervisor's loop accepts nothing: it waits for signals and for the next start.
  absl::StatusOr<posix::ServerLoop> loop =
      posix::ServerLoop::Create(*signals, /*acceptor=*/nullptr, posix::ServerLoop::Options());
  if (!loop.ok()) return programs::Fail(loop.status());
  programs::Announce(listening->bound, console);
  programs::Pool pool(config, listening->acceptor, *loop, **signals, console);
  if (absl::Status served = programs::Supervise(pool, *loop); !served.ok()) {
    return programs::Fail(served);
  }
  return 0;  // G5: stopped by SIGTERM or SIGINT, every worker reaped.
}

// sig_lives: the lecture's "lives" signal demo (signalbasic.c). Clause: S1.
//
// Each SIGINT costs a life and prints `Received SIGINT... N Lives Left` for N = 10 down to 1.
// After the tenth, SIGINT's default action is restored, so the eleventh ends the process by
// SIGINT (the shell sees WIFSIGNALED with WTERMSIG = SIGINT).
//
// As in the lecture, the handler counts each delivery (`global_count--`) and the last life
// restores the default in the handler itself (sigaction is async-signal-safe): two SIGINTs that
// come before the main loop prints are two lives, and the eleventh kills even while the main
// loop is stuck on a console nobody reads (signal_bridge.h, SignalSpec::default_after).
// Deviation: the lecture's handler calls printf, which is not async-signal-safe (a SIGINT
// landing while the main program is inside stdio can deadlock on stdio's lock or corrupt its
// buffer). Here the main loop prints one line per life the handler counted.
#include <signal.h>

#include "reference/core/args.h"
#include "reference/core/signal_demo_lines.h"
#include "reference/posix/console.h"
#include "reference/posix/coverage_flush.h"
#include "reference/posix/server_loop.h"
#include "reference/programs/program_main.h"

int main(int argc, char** argv) {
  using namespace netref;
  programs::ParseArgsOrExit(core::Program::kLivesDemo, argc, argv);
  const posix::Console console(/*quiet=*/false);
  absl::StatusOr<posix::SignalBridge*> signals = programs::InstallSignals(
      {{SIGINT, posix::SignalUse::kCount, /*default_after=*/core::kLives}});
  if (!signals.ok()) return programs::Fail(signals.status());
  absl::StatusOr<posix::ServerLoop> loop =
      posix::ServerLoop::Create(*signals, /*acceptor=*/nullptr, posix::ServerLoop::Options());
  if (!loop.ok()) return programs::Fail(loop.status());
  int lives = core::kLives;
  while (true) {
    absl::StatusOr<posix::SignalCounts> turn = loop->Turn(posix::ServerLoop::Handlers());
    if (!turn.ok()) return programs::Fail(turn.status());
    for (int delivered = turn->of(SIGINT); delivered > 0 && lives > 0; --delivered) {
      console.Line(core::LivesLine(lives--));
    }
    // The handler has put the default back: the next SIGINT ends the process, and no exit
    // handler will run then to write a coverage build's counters.
    if (lives == 0) posix::FlushCoverage();
  }
}

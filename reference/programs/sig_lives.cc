// sig_lives: the lecture's "lives" signal demo (signalbasic.c). Clause: S1.
//
// Each SIGINT costs a life and prints `Received SIGINT... N Lives Left` for N = 10 down to 1.
// After the tenth, SIGINT's default action is restored, so the eleventh ends the process by
// SIGINT (the shell sees WIFSIGNALED with WTERMSIG = SIGINT).
//
// Deviation: the lecture's handler calls printf, which is not async-signal-safe (a SIGINT landing
// while the main program is inside stdio can deadlock on stdio's lock or corrupt its buffer).
// Here the handler is SignalEvents': it only sets a flag and writes a byte to a self-pipe; this
// main loop does the counting, the printing and the restoring.
#include <poll.h>
#include <signal.h>

#include "reference/core/args.h"
#include "reference/core/signal_demo_lines.h"
#include "reference/posix/console.h"
#include "reference/posix/io.h"
#include "reference/posix/signal_events.h"
#include "reference/programs/program_main.h"

int main(int argc, char** argv) {
  using namespace netref;
  programs::ParseArgsOrExit(core::Program::kLivesDemo, argc, argv);
  const posix::Console console(/*quiet=*/false);
  absl::StatusOr<posix::SignalEvents*> events = posix::SignalEvents::Install({SIGINT});
  if (!events.ok()) return programs::Fail(events.status());
  int lives = core::kLives;
  while (true) {
    pollfd wake = {(*events)->wake_fd(), POLLIN, 0};
    if (posix::RetryOnEintr([&] { return ::poll(&wake, 1, -1); }) < 0) {
      return programs::Fail(posix::ErrnoError(errno, "poll"));
    }
    // Signals coalesce: two SIGINTs that land before this Take() cost one life, as two SIGINTs
    // pending while the lecture's handler runs would.
    if (!(*events)->Take().test(SIGINT)) continue;
    const int lives_left = lives--;
    if (lives == 0) {
      // S1: the 11th SIGINT gets the default action. Restored BEFORE the 10th line is printed,
      // so whoever sees that line and sends SIGINT again finds the default in place.
      if (absl::Status status = posix::SetDefaultAction(SIGINT); !status.ok()) {
        return programs::Fail(status);
      }
    }
    console.Line(core::LivesLine(lives_left));
  }
}

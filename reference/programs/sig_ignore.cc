// sig_ignore: the lecture's "ignore SIGINT" demo (signalsecond.c). Clause: S2.
//
// Sets SIGINT to SIG_IGN with sigaction, keeping the old action; counts `N: sleep and awake`
// down from 5 to 1, one line per interval (1 s, or --interval-ms); SIGINT has no effect
// meanwhile; restores the old action and exits with the lecture's status 1.
//
// This demo calls sigaction(2) itself rather than posix::SetSignalAction: keeping the old action
// and putting it back is what the lecture's program teaches, and the wrapper does not return it.
#include <signal.h>
#include <time.h>

#include <cerrno>

#include "reference/core/args.h"
#include "reference/core/signal_demo_lines.h"
#include "reference/posix/console.h"
#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"
#include "reference/programs/program_main.h"

namespace {

// Sleeps the whole interval. Only a signal whose handler runs can cut nanosleep short (EINTR),
// and this demo installs none: SIGINT is ignored, fatal signals kill, and Linux restarts a sleep
// stopped by SIGTSTP and resumed by SIGCONT by itself. The retry is a guard for a handler added
// later, not a path a test can reach.
void SleepMs(int ms) {
  timespec left{ms / 1000, static_cast<long>(ms % 1000) * 1000000L};
  netref::posix::RetryOnEintr([&] { return ::nanosleep(&left, &left); });
}

}  // namespace

int main(int argc, char** argv) {
  using namespace netref;
  const core::ProgramConfig config =
      programs::ParseArgsOrExit(core::Program::kIgnoreDemo, argc, argv);
  const posix::Console console(/*quiet=*/false);

  // S2: `new_action.sa_handler = SIG_IGN; sigemptyset(&sa_mask); sa_flags = 0;` and the old
  // action saved in `old_action`.
  struct sigaction ignore {};
  struct sigaction old_action {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ignore.sa_flags = 0;
  if (::sigaction(SIGINT, &ignore, &old_action) != 0) {
    return programs::Fail(posix::ErrnoError(errno, "sigaction SIGINT"));
  }

  // The lecture prints, sleeps, and stops after the line for 1 (a last sleep included).
  for (int n = core::kCountdownFrom; n >= 1; --n) {
    console.Line(core::CountdownLine(n));
    SleepMs(config.interval_ms);
  }

  // S2: put back what was there before (for a program that would go on running).
  if (::sigaction(SIGINT, &old_action, nullptr) != 0) {
    return programs::Fail(posix::ErrnoError(errno, "sigaction SIGINT"));
  }
  return core::kIgnoreDemoExitStatus;  // The lecture's `return 1`.
}

// fork_demo: the lecture's fork section as a program. Clauses: S4 (and S3 for the status).
//
// The parent sets a value and forks. The child changes its copy, prints it and exits with code 3.
// The parent waits for the child, decodes the wait status (S3: core::DecodeWaitStatus, the
// lecture's WIFEXITED/WEXITSTATUS) and prints its own value: unchanged, because after fork the
// two processes have separate copies of memory ("resources changed after fork are not shared").
//
// Deviation: the lecture writes `if(pid=fork()==0)`. `==` binds tighter than `=`, so that is
// `pid = (fork() == 0)`: pid becomes 1 in the child and 0 in the parent, never the child's pid,
// and the parent cannot wait for (or signal) its child by pid. netref writes `(pid = fork()) == 0`.
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "reference/core/args.h"
#include "reference/core/signal_demo_lines.h"
#include "reference/core/wait_status.h"
#include "reference/posix/console.h"
#include "reference/posix/coverage_flush.h"
#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"
#include "reference/programs/program_main.h"

int main(int argc, char** argv) {
  using namespace netref;
  programs::ParseArgsOrExit(core::Program::kForkDemo, argc, argv);
  // Console writes each line with write(2): nothing waits in a stdio buffer at fork, so nothing
  // is printed twice (a printf'd line still buffered at fork, with stdout a pipe, is copied into
  // the child and flushed by both processes).
  const posix::Console console(/*quiet=*/false);

  int value = core::kForkDemoValueBefore;
  console.Line(core::ForkDemoBeforeLine(value));

  pid_t pid;
  if ((pid = ::fork()) == 0) {
    // Child: its own copy of `value`.
    value = core::kForkDemoValueInChild;
    console.Line(core::ForkDemoChildLine(value));
    posix::FlushCoverage();
    // _exit: the child runs no exit handlers of main's. (This line is never counted: the
    // counters were written just above.)
    ::_exit(core::kForkDemoChildExitCode);  // GCOVR_EXCL_LINE
  }
  if (pid < 0) return programs::Fail(posix::ErrnoError(errno, "fork"));

  // Parent: the lecture's `wait(&status)`, decoded by S3's one decoder.
  int raw = 0;
  if (posix::RetryOnEintr([&] { return ::waitpid(pid, &raw, 0); }) != pid) {
    return programs::Fail(posix::ErrnoError(errno, "waitpid"));
  }
  console.Line(core::ForkDemoWaitLine(static_cast<long>(pid),
                                      core::DescribeWaitStatus(core::DecodeWaitStatus(raw))));
  console.Line(core::ForkDemoAfterLine(value));  // Still kForkDemoValueBefore.
  return 0;
}

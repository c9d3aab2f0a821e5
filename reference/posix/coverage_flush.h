// coverage_flush.h: writes a coverage build's counters before a process ends without running
// its exit handlers (`_exit`, or a death by a signal's default action).
//
// gcov writes its counters from an exit handler, which `_exit` and a fatal signal skip: a fork
// server's children, the chat client's receiver and sig_lives' last moments would then count as
// never run. In every other build this is a no-op. Must not: do anything else.
#ifndef NETREF_REFERENCE_POSIX_COVERAGE_FLUSH_H_
#define NETREF_REFERENCE_POSIX_COVERAGE_FLUSH_H_

#ifdef NETREF_COVERAGE
#include <signal.h>

extern "C" void __gcov_dump(void);
#endif

namespace netref::posix {

inline void FlushCoverage() {
#ifdef NETREF_COVERAGE
  // With every blockable signal held back: a SIGTERM (a server ending its children) landing
  // mid-write would leave a half-written counter file, which the next process to merge into it
  // reports on its stderr ("profiling: ... Merge mismatch") and a test then sees.
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  __gcov_dump();
  sigprocmask(SIG_SETMASK, &old, nullptr);
#endif
}

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_COVERAGE_FLUSH_H_

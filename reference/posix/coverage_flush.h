// coverage_flush.h: writes a coverage build's counters before a process ends without running
// its exit handlers (`_exit`, or a death by a signal's default action).
//
// gcov writes its counters from an exit handler, which `_exit` and a fatal signal skip: a fork
// server's children, the chat client's receiver and sig_lives' last moments would then count as
// never run. In every other build this is a no-op. Must not: do anything else.
#ifndef NETREF_REFERENCE_POSIX_COVERAGE_FLUSH_H_
#define NETREF_REFERENCE_POSIX_COVERAGE_FLUSH_H_

#ifdef NETREF_COVERAGE
extern "C" void __gcov_dump(void);
#endif

namespace netref::posix {

inline void FlushCoverage() {
#ifdef NETREF_COVERAGE
  __gcov_dump();
#endif
}

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_COVERAGE_FLUSH_H_

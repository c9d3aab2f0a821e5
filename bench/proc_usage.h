// proc_usage.h: what a server process tree costs, read from /proc: CPU, processes, memory.
//
// CPU is the server's own time on a CPU (schedstat, ns) plus cutime+cstime (its reaped
// children), plus the same for each live child, so the delta between two samples counts every
// process of a fork or pre-forked server, whether it ended during the window or not. cutime and
// cstime come in clock ticks (10 ms), summed in the kernel before truncation. Must not: signal
// or wait.
#ifndef NETREF_BENCH_PROC_USAGE_H_
#define NETREF_BENCH_PROC_USAGE_H_

#include <sys/types.h>

namespace netref::bench {

struct TreeUsage {
  double cpu_seconds = 0;  // The whole tree, as above.
  int children = 0;        // Live (or zombie) direct children.
  double rss_kib = 0;      // Sum of VmRSS over the server and its children (shared pages counted
                           // in each process, so it overstates what forked copies really use).
};

TreeUsage SampleTree(pid_t server);

}  // namespace netref::bench

#endif  // NETREF_BENCH_PROC_USAGE_H_

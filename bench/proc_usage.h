// proc_usage.h: what a server process tree costs, read from /proc: CPU, processes, memory, and
// what the rest of the machine did meanwhile.
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
  double cpu_seconds = 0;         // The whole tree, as above.
  double parent_cpu_seconds = 0;  // The server process alone (its accept loop and its forks).
  int children = 0;               // Live or zombie direct children.
  int zombies = 0;                // Direct children that exited and are not reaped yet.
  double rss_kib = 0;             // Sum of VmRSS over the server and its children (shared pages
                                  // counted in each process: it overstates what copies use).
  double parent_rss_kib = 0;      // VmRSS of the server process alone.
  int parent_maps = 0;            // Lines of /proc/PID/maps: what each fork copies.
};

TreeUsage SampleTree(pid_t server);

// Lines of /proc/PID/maps (0 if the process is gone).
int MapsCount(pid_t pid);

// CPU seconds the whole machine spent busy so far (/proc/stat: user, nice, system, irq, softirq
// and steal of every CPU). The difference over a window, minus what the server and the load
// generator used, is what everything else on the machine took from the run.
double MachineBusySeconds();

// The 1-minute load average (/proc/loadavg), or -1.
double LoadAverage1();

}  // namespace netref::bench

#endif  // NETREF_BENCH_PROC_USAGE_H_

// proc_usage.cc
#include "bench/proc_usage.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "harness/support/proc_inspect.h"

namespace netref::bench {
namespace {

struct Usage {
  double cpu_seconds = 0;
  double rss_kib = 0;
};

// /proc/PID/schedstat's first field: time on a CPU, in nanoseconds.
double OwnCpuSeconds(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/schedstat";
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return 0;
  unsigned long long ns = 0;
  const int fields = std::fscanf(file, "%llu", &ns);
  std::fclose(file);
  return fields == 1 ? static_cast<double>(ns) / 1e9 : 0;
}

// /proc/PID/stat fields 14-17 (utime stime cutime cstime) and 24 (rss, in pages).
Usage ReadUsage(pid_t pid) {
  Usage usage;
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return usage;
  char line[1024] = {};
  const bool read = std::fgets(line, sizeof line, file) != nullptr;
  std::fclose(file);
  if (!read) return usage;
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  const char* rest = std::strrchr(line, ')');
  if (rest == nullptr) return usage;
  unsigned long long utime, stime, rss;
  long long cutime, cstime;
  // Field 3 (state) is the first after ')'; skip 4..13, read 14..17, skip 18..23, read 24.
  if (std::sscanf(rest + 2,
                  "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %lld %lld "
                  "%*d %*d %*d %*d %*u %*u %llu",
                  &utime, &stime, &cutime, &cstime, &rss) != 5) {
    return usage;
  }
  (void)utime;
  (void)stime;
  // The process's own CPU from schedstat (nanoseconds): utime+stime come in whole clock ticks,
  // and truncating each of 64 pre-forked workers to 10 ms would lose most of their time. The
  // reaped children's time (cutime+cstime) is summed in the kernel and truncated only once.
  // Every netref server is single-threaded, so the main thread's schedstat is the process's.
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  usage.cpu_seconds = OwnCpuSeconds(pid) + static_cast<double>(cutime + cstime) / ticks;
  usage.rss_kib = static_cast<double>(rss) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1024;
  return usage;
}

}  // namespace

TreeUsage SampleTree(pid_t server) {
  TreeUsage tree;
  const Usage own = ReadUsage(server);
  tree.cpu_seconds = own.cpu_seconds;
  tree.rss_kib = own.rss_kib;
  for (const testing::ProcInfo& child : testing::ChildrenOf(server)) {
    const Usage usage = ReadUsage(child.pid);
    tree.cpu_seconds += usage.cpu_seconds;
    tree.rss_kib += usage.rss_kib;
    ++tree.children;
  }
  return tree;
}

}  // namespace netref::bench

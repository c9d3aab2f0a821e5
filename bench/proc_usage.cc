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
  double own_cpu_seconds = 0;     // The process itself.
  double reaped_cpu_seconds = 0;  // Its children that it has reaped (cutime + cstime).
  double rss_kib = 0;
};

std::string ProcPath(pid_t pid, const char* file) {
  return "/proc/" + std::to_string(pid) + "/" + file;
}

// /proc/PID/schedstat's first field: time on a CPU, in nanoseconds.
double OwnCpuSeconds(pid_t pid) {
  FILE* file = std::fopen(ProcPath(pid, "schedstat").c_str(), "r");
  if (file == nullptr) return 0;
  unsigned long long ns = 0;
  const int fields = std::fscanf(file, "%llu", &ns);
  std::fclose(file);
  return fields == 1 ? static_cast<double>(ns) / 1e9 : 0;
}

// /proc/PID/stat fields 14-17 (utime stime cutime cstime) and 24 (rss, in pages).
Usage ReadUsage(pid_t pid) {
  Usage usage;
  FILE* file = std::fopen(ProcPath(pid, "stat").c_str(), "r");
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
  usage.own_cpu_seconds = OwnCpuSeconds(pid);
  usage.reaped_cpu_seconds = static_cast<double>(cutime + cstime) / ticks;
  usage.rss_kib = static_cast<double>(rss) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1024;
  return usage;
}

}  // namespace

TreeUsage SampleTree(pid_t server) {
  TreeUsage tree;
  const Usage own = ReadUsage(server);
  tree.cpu_seconds = own.own_cpu_seconds + own.reaped_cpu_seconds;
  tree.parent_cpu_seconds = own.own_cpu_seconds;
  tree.rss_kib = own.rss_kib;
  tree.parent_rss_kib = own.rss_kib;
  tree.parent_maps = MapsCount(server);
  for (const testing::ProcInfo& child : testing::ChildrenOf(server)) {
    const Usage usage = ReadUsage(child.pid);
    tree.cpu_seconds += usage.own_cpu_seconds + usage.reaped_cpu_seconds;
    tree.rss_kib += usage.rss_kib;
    ++tree.children;
    if (child.state == 'Z') ++tree.zombies;
  }
  return tree;
}

int MapsCount(pid_t pid) {
  FILE* file = std::fopen(ProcPath(pid, "maps").c_str(), "r");
  if (file == nullptr) return 0;
  int lines = 0;
  for (int c; (c = std::fgetc(file)) != EOF;) lines += c == '\n';
  std::fclose(file);
  return lines;
}

double MachineBusySeconds() {
  FILE* file = std::fopen("/proc/stat", "r");
  if (file == nullptr) return 0;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  const int fields = std::fscanf(file, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice,
                                 &system, &idle, &iowait, &irq, &softirq, &steal);
  std::fclose(file);
  if (fields != 8) return 0;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return static_cast<double>(user + nice + system + irq + softirq + steal) / ticks;
}

double LoadAverage1() {
  FILE* file = std::fopen("/proc/loadavg", "r");
  if (file == nullptr) return -1;
  double load = -1;
  if (std::fscanf(file, "%lf", &load) != 1) load = -1;
  std::fclose(file);
  return load;
}

}  // namespace netref::bench

// fd_faults.cc
#include "harness/support/fd_faults.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace netref::testing {
namespace {

std::string FdTarget(const std::string& pid_dir, int fd) {
  char target[256] = {};
  const std::string link = "/proc/" + pid_dir + "/fd/" + std::to_string(fd);
  return ::readlink(link.c_str(), target, sizeof target - 1) > 0 ? std::string(target) : "";
}

}  // namespace

std::set<int> OpenFds(pid_t pid) {
  std::set<int> fds;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* entry = ::readdir(d)) {
      if (entry->d_name[0] != '.') fds.insert(std::atoi(entry->d_name));
    }
    ::closedir(d);
  }
  return fds;
}

int LowestFreeFd(pid_t pid) {
  const std::set<int> fds = OpenFds(pid);
  int fd = 0;
  while (fds.count(fd) != 0) ++fd;
  return fd;
}

int ReserveFd(pid_t pid) {
  for (int fd : OpenFds(pid)) {
    if (fd > 2 && FdTarget(std::to_string(pid), fd) == "/dev/null" &&
        FdTarget("self", fd) != "/dev/null") {
      return fd;
    }
  }
  return -1;
}

rlimit LimitFds(pid_t pid, int limit) {
  rlimit old{};
  if (::prlimit(pid, RLIMIT_NOFILE, nullptr, &old) != 0) std::perror("prlimit");
  const rlimit wanted{static_cast<rlim_t>(limit), old.rlim_max};
  if (::prlimit(pid, RLIMIT_NOFILE, &wanted, nullptr) != 0) std::perror("prlimit");
  return old;
}

void RestoreFds(pid_t pid, const rlimit& old) {
  if (::prlimit(pid, RLIMIT_NOFILE, &old, nullptr) != 0) std::perror("prlimit");
}

}  // namespace netref::testing

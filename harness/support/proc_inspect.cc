// proc_inspect.cc
#include "harness/support/proc_inspect.h"

#include <dirent.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace netref::testing {

std::optional<ProcInfo> ReadProc(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!file || !std::getline(file, text)) return std::nullopt;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 1));
  ProcInfo info{pid, 0, '?'};
  rest >> info.state >> info.ppid;
  return info;
}

std::vector<ProcInfo> ChildrenOf(pid_t pid) {
  std::vector<ProcInfo> children;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return children;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    const long candidate = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0') continue;
    std::optional<ProcInfo> info = ReadProc(static_cast<pid_t>(candidate));
    if (info && info->ppid == pid) children.push_back(*info);
  }
  ::closedir(proc);
  return children;
}

std::vector<pid_t> ZombieChildrenOf(pid_t pid) {
  std::vector<pid_t> zombies;
  for (const ProcInfo& child : ChildrenOf(pid)) {
    if (child.state == 'Z') zombies.push_back(child.pid);
  }
  return zombies;
}

std::vector<pid_t> DescendantsOf(pid_t pid) {
  std::vector<pid_t> found;
  std::vector<pid_t> frontier = {pid};
  while (!frontier.empty()) {
    const pid_t parent = frontier.back();
    frontier.pop_back();
    for (const ProcInfo& child : ChildrenOf(parent)) {
      found.push_back(child.pid);
      frontier.push_back(child.pid);
    }
  }
  return found;
}

int OpenFdCount(pid_t pid) {
  DIR* dir = ::opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr) return -1;
  int count = 0;
  while (dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count;
}

bool IsAlive(pid_t pid) {
  std::optional<ProcInfo> info = ReadProc(pid);
  return info && info->state != 'Z';
}

namespace {

// The hexadecimal signal mask on the `field:` line of /proc/PID/status (0 if absent).
unsigned long long StatusMask(pid_t pid, const std::string& field) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(file, line);) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::strtoull(line.c_str() + field.size() + 1, nullptr, 16);
    }
  }
  return 0;
}

bool HasSignal(unsigned long long mask, int signal) {
  return signal >= 1 && signal <= 64 && (mask >> (signal - 1) & 1ULL) != 0;
}

}  // namespace

bool SignalPending(pid_t pid, int signal) {
  return HasSignal(StatusMask(pid, "ShdPnd"), signal) ||
         HasSignal(StatusMask(pid, "SigPnd"), signal);
}

bool SignalCaught(pid_t pid, int signal) { return HasSignal(StatusMask(pid, "SigCgt"), signal); }

std::optional<std::size_t> UdpReceiveQueueBytes(std::uint16_t port) {
  std::ifstream file("/proc/net/udp");
  std::string line;
  std::getline(file, line);  // The header.
  while (std::getline(file, line)) {
    // "  sl  local_address rem_address   st tx_queue:rx_queue ...", all hexadecimal.
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues;
    fields >> slot >> local >> remote >> state >> queues;
    const std::size_t colon = local.find(':');
    const std::size_t split = queues.find(':');
    if (colon == std::string::npos || split == std::string::npos) continue;
    if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) != port) continue;
    return static_cast<std::size_t>(std::strtoul(queues.c_str() + split + 1, nullptr, 16));
  }
  return std::nullopt;
}

bool SomeoneListensOn(std::uint16_t port) {
  std::ifstream file("/proc/net/tcp");
  std::string line;
  std::getline(file, line);  // The header.
  while (std::getline(file, line)) {
    // "  sl  local_address rem_address   st ...": local "0100007F:2694", state 0A = LISTEN.
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    const std::size_t colon = local.find(':');
    if (colon == std::string::npos || state != "0A") continue;
    if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) == port) return true;
  }
  return false;
}

std::optional<long> ResidentKiB(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return std::nullopt;
}

std::optional<long> BlockedSyscall(pid_t pid) {
  // "running", or "NR arg1 ... sp pc" while blocked in syscall NR, or "-1 sp pc" while blocked
  // outside one (reading it needs ptrace access to the process: a child of the test has it).
  std::ifstream file("/proc/" + std::to_string(pid) + "/syscall");
  std::string first;
  if (!(file >> first) || first == "running") return std::nullopt;
  char* end = nullptr;
  const long number = std::strtol(first.c_str(), &end, 10);
  if (end == first.c_str()) return std::nullopt;
  return number;
}

}  // namespace netref::testing

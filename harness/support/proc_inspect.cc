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

}  // namespace netref::testing

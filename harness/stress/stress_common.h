// stress_common.h: what the stress tests share: the profile, /proc probes of the server, and
// bounded waits for "no zombie", "no child", "fds back to where they were".
//
// Header-only and private to harness/stress (each *_test.cc is its own binary).
// Must not: sleep unboundedly, or signal a process the test did not start.
#ifndef NETREF_HARNESS_STRESS_STRESS_COMMON_H_
#define NETREF_HARNESS_STRESS_STRESS_COMMON_H_

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"

namespace netref::testing {

// NETREF_STRESS_PROFILE=long (ci/test --stress-long) selects the soak sizes.
inline bool LongProfile() {
  const char* profile = std::getenv("NETREF_STRESS_PROFILE");
  return profile != nullptr && std::string(profile) == "long";
}
inline int ByProfile(int short_value, int long_value) {
  return LongProfile() ? long_value : short_value;
}

// utime + stime of `pid` from /proc/PID/stat, in seconds (the process itself, not its children).
inline double CpuSeconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(file, text)) return -1;
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string field;
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i < 14; ++i) rest >> field;
  double utime = 0, stime = 0;
  rest >> utime >> stime;
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Polls /proc until `done` holds or `limit` (scaled) passes; true if it held.
template <typename Done>
bool Eventually(Done done, std::chrono::milliseconds limit) {
  return PollUntil(done, Deadline::In(limit));
}

inline bool NoZombiesWithin(pid_t server, std::chrono::milliseconds limit) {
  return Eventually([&] { return ZombieChildrenOf(server).empty(); }, limit);
}
inline bool NoChildrenWithin(pid_t server, std::chrono::milliseconds limit) {
  return Eventually([&] { return ChildrenOf(server).empty(); }, limit);
}
inline bool FdCountWithin(pid_t server, int expected, std::chrono::milliseconds limit) {
  return Eventually([&] { return OpenFdCount(server) == expected; }, limit);
}

// One fresh client gets an exact echo: the server still answers.
inline bool StillAnswers(const core::Endpoint& server) {
  const Deadline deadline = Deadline::In(std::chrono::seconds(10));
  std::optional<TcpPeer> peer = TcpPeer::Connect(server, deadline);
  if (!peer) return false;
  const std::string message = "still there?";
  std::optional<std::string> echo = RoundTrip(*peer, message, deadline);
  return echo && *echo == message;
}

// G5 at the end of every test: SIGTERM, and the server ends and reaps its children and exits
// 0. (Left to the Subprocess destructor, a SIGKILL would orphan any child still running.)
inline bool StopsCleanly(Subprocess& server) {
  server.Signal(SIGTERM);
  std::optional<core::WaitStatus> status = server.Wait(Deadline::In(std::chrono::seconds(10)));
  return status && status->ExitedWith(0);
}

// The lines of `text` that are not empty.
inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

}  // namespace netref::testing

#endif  // NETREF_HARNESS_STRESS_STRESS_COMMON_H_

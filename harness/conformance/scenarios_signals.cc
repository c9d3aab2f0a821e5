// scenarios_signals.cc: the signal demos' clauses (S1 lives, S2 ignore) as scenarios against
// any implementation. The kit knows a handler (or SIG_IGN) is in place by reading SigCgt
// (SigIgn) in /proc/PID/status, never by sleeping: a SIGINT sent earlier would simply kill the
// program. Must not: signal a process outside the tree the kit started.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include "harness/conformance/scenario.h"
#include "harness/support/proc_inspect.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;

// Whether /proc/PID/status's mask `field` ("SigCgt", "SigIgn") has SIGINT.
bool MaskHasSigint(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    const unsigned long long mask = std::strtoull(line.c_str() + field.size() + 1, nullptr, 16);
    return ((mask >> (SIGINT - 1)) & 1U) != 0;
  }
  return false;
}

// The process in the tree of `root` whose `field` has SIGINT (`want`), or of the root if the
// state is not reached by `deadline`: nullopt. A simple template is exec'd, so it is the root.
std::optional<pid_t> WaitForSigintMask(pid_t root, const std::string& field, bool want,
                                       const Deadline& deadline) {
  while (!deadline.expired()) {
    std::vector<pid_t> tree = testing::DescendantsOf(root);
    tree.insert(tree.begin(), root);
    for (pid_t pid : tree) {
      if (!IsLauncher(pid) && MaskHasSigint(pid, field) == want) return pid;
    }
    ::usleep(5000);
  }
  return std::nullopt;
}

std::string RightTrimmed(std::string line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::string LinesSoFar(const testing::Subprocess& program) {
  std::string text;
  for (const std::string& line : program.lines()) text += line + "\n";
  return Escape(text, 300);
}

// S1: ten SIGINTs print `Received SIGINT... N Lives Left` for N = 10..1 (the lecture's trailing
// blank allowed); then the default action is back, and the eleventh SIGINT kills the program.
Outcome CountsLives(Kit& kit, Role role) {
  testing::Subprocess program = kit.StartPlain(role);
  std::optional<pid_t> target =
      WaitForSigintMask(program.pid(), "SigCgt", true, Deadline::In(milliseconds(3000)));
  if (!target) {
    return Fail("a SIGINT handler within 3 s (SigCgt)",
                "none; stderr " + Escape(program.stderr_text()));
  }
  for (int lives = 10; lives >= 1; --lives) {
    ::kill(*target, SIGINT);  // A process the kit started, by pid.
    const std::string want = "Received SIGINT... " + std::to_string(lives) + " Lives Left";
    if (!program.WaitForLine([&](const std::string& l) { return RightTrimmed(l) == want; },
                             Deadline::In(milliseconds(2000)))) {
      return Fail("after SIGINT " + std::to_string(11 - lives) + ": " + Escape(want),
                  "lines " + LinesSoFar(program));
    }
  }
  if (!WaitForSigintMask(*target, "SigCgt", false, Deadline::In(milliseconds(2000)))) {
    return Fail("SIGINT's default action restored after the 10th", "SIGINT is still caught");
  }
  ::kill(*target, SIGINT);
  const std::optional<core::WaitStatus> status = program.Wait(Deadline::In(milliseconds(2000)));
  const bool through_shell = *target != program.pid();  // sh reports 128 + SIGINT.
  if (status && (status->KilledBy(SIGINT) || (through_shell && status->ExitedWith(128 + SIGINT)))) {
    return Pass();
  }
  return Fail("killed by SIGINT at the 11th",
              status ? core::DescribeWaitStatus(*status) : "still running");
}

// S2: with SIGINT ignored, the countdown `N: sleep and awake` for N = 5..1 runs to its end
// though a SIGINT arrives, and the program exits with the lecture's status 1.
Outcome IgnoresSigint(Kit& kit, Role role) {
  testing::Subprocess program = kit.StartPlain(role);
  std::optional<pid_t> target =
      WaitForSigintMask(program.pid(), "SigIgn", true, Deadline::In(milliseconds(3000)));
  if (!target) {
    return Fail("SIGINT ignored within 3 s (SigIgn)",
                "not ignored; stderr " + Escape(program.stderr_text()));
  }
  ::kill(*target, SIGINT);
  for (int n = 5; n >= 1; --n) {
    const std::string want = std::to_string(n) + ": sleep and awake";
    if (!program.WaitForLine([&](const std::string& l) { return RightTrimmed(l) == want; },
                             Deadline::In(milliseconds(3000)))) {
      return Fail(Escape(want),
                  "lines " + LinesSoFar(program) + (program.running() ? "" : ", ended"));
    }
  }
  const std::optional<core::WaitStatus> status = program.Wait(Deadline::In(milliseconds(3000)));
  if (status && status->ExitedWith(1)) return Pass();
  return Fail("exit status 1 after the countdown",
              status ? core::DescribeWaitStatus(*status) : "still running");
}

}  // namespace

void AddSignalScenarios(std::vector<Scenario>& out) {
  out.push_back({"S1.lives", Role::kLivesDemo, "10 SIGINTs count lives down; the 11th kills",
                 [](Kit& kit) { return CountsLives(kit, Role::kLivesDemo); }});
  out.push_back({"S2.ignore", Role::kIgnoreDemo, "SIGINT ignored: countdown 5..1 completes, exit 1",
                 [](Kit& kit) { return IgnoresSigint(kit, Role::kIgnoreDemo); }});
}

}  // namespace netref::conformance

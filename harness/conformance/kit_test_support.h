// kit_test_support.h: what the kit's own tests share: running netref-conform as a user does
// (several at once: the kit mostly waits), and reading its TAP output back into verdicts.
#ifndef NETREF_HARNESS_CONFORMANCE_KIT_TEST_SUPPORT_H_
#define NETREF_HARNESS_CONFORMANCE_KIT_TEST_SUPPORT_H_

#include <unistd.h>

#include <chrono>
#include <list>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "harness/conformance/kit.h"
#include "harness/support/deadline.h"
#include "harness/support/subprocess.h"

namespace netref::conformance {

inline std::string BrokenProgram(const std::string& name) {
  return std::string(NETREF_BROKEN_DIR) + "/" + name;
}
inline std::string LectureProgram(const std::string& name) {
  return std::string(NETREF_LECTURE_DIR) + "/" + name;
}

// As root, "--isolate": each kit run then has a network namespace of its own, so runs side by
// side never race for a port, and what other programs on the machine do to the shared TCP
// tables (tens of thousands of TIME_WAIT sockets from a benchmark) cannot reach the run.
inline std::vector<std::string> IsolatedIfRoot() {
  return ::geteuid() == 0 ? std::vector<std::string>{"--isolate"} : std::vector<std::string>{};
}

// Runs netref-conform with each argument list, at most `parallel` at once; the results in the
// order given. Each run has a deadline of two minutes.
inline std::vector<testing::Finished> RunConform(const std::vector<std::vector<std::string>>& runs,
                                                 std::size_t parallel) {
  std::vector<testing::Finished> finished(runs.size());
  struct Running {
    std::size_t index;
    testing::Subprocess process;
    testing::Deadline deadline;
  };
  std::list<Running> running;
  std::size_t next = 0;
  while (next < runs.size() || !running.empty()) {
    while (next < runs.size() && running.size() < parallel) {
      std::vector<std::string> argv = {testing::BinPath("netref-conform")};
      argv.insert(argv.end(), runs[next].begin(), runs[next].end());
      running.push_back({next++, testing::Subprocess::Start(argv),
                         testing::Deadline::In(std::chrono::seconds(120))});
    }
    for (auto it = running.begin(); it != running.end();) {
      testing::Finished& done = finished[it->index];
      it->process.PumpNow();
      done.status = EndedNow(it->process);
      if (!done.status && !it->deadline.expired()) {
        ++it;
        continue;
      }
      done.out = it->process.ReadStdoutToEof(testing::Deadline::In(std::chrono::seconds(1)));
      done.err = it->process.stderr_text();
      it = running.erase(it);  // Past its deadline, the Subprocess is killed as it goes.
    }
    ::usleep(5000);  // A polling interval for several processes, not a synchronisation.
  }
  return finished;
}

// One check as a TAP line reports it.
struct TapVerdict {
  Verdict verdict = Verdict::kPass;
  std::string deviation;
  std::string detail;  // The YAML block's lines, for failure messages.
};
using TapVerdicts = std::map<std::pair<std::string, std::string>, TapVerdict>;  // (role, ID)

// Reads `netref-conform --tap` output: "ok N - ROLE ID: title[ # SKIP why| # TODO deviation:
// NAME]", "not ok ...", each failure followed by a YAML block.
inline TapVerdicts ParseTap(const std::string& tap) {
  TapVerdicts verdicts;
  std::istringstream lines(tap);
  std::string line;
  TapVerdict* last = nullptr;
  while (std::getline(lines, line)) {
    const bool ok = line.rfind("ok ", 0) == 0, not_ok = line.rfind("not ok ", 0) == 0;
    if (!ok && !not_ok) {
      if (last != nullptr && line.rfind("  ", 0) == 0) {
        last->detail += line + "\n";
        if (line.rfind("  deviation: '", 0) == 0) {
          last->verdict = Verdict::kDeviation;
          last->deviation = line.substr(14, line.size() - 15);
        }
        if (line.rfind("  reason: ", 0) == 0) last->verdict = Verdict::kNotRun;
      }
      continue;
    }
    const std::size_t dash = line.find(" - ");
    std::istringstream words(line.substr(dash + 3));
    std::string role, id;
    words >> role >> id;
    if (!id.empty() && id.back() == ':') id.pop_back();
    TapVerdict verdict;
    const std::size_t hash = line.find(" # ");
    const std::string directive = hash == std::string::npos ? "" : line.substr(hash + 3);
    if (ok) {
      verdict.verdict = directive.rfind("SKIP program not given", 0) == 0 ||
                                directive.rfind("SKIP a netref extension", 0) == 0
                            ? Verdict::kNotApplicable
                        : directive.rfind("SKIP", 0) == 0 ? Verdict::kSkipped
                                                          : Verdict::kPass;
    } else if (directive.rfind("TODO deviation: ", 0) == 0) {
      verdict.verdict = Verdict::kDeviation;
      verdict.deviation = directive.substr(16);
    } else {
      verdict.verdict = Verdict::kFail;
    }
    last = &(verdicts[{role, id}] = verdict);
  }
  return verdicts;
}

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_KIT_TEST_SUPPORT_H_

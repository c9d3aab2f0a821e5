// run.h: one kit run: which checks are selected, running them in order under an overall time
// limit, and the verdicts with their per-clause scores. Must not: format a report (report.h
// does) or decide a verdict (the checks do).
#ifndef NETREF_HARNESS_CONFORMANCE_RUN_H_
#define NETREF_HARNESS_CONFORMANCE_RUN_H_

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/conformance/kit.h"
#include "harness/conformance/scenario.h"

namespace netref::conformance {

struct RunOptions {
  bool lecture = false;  // Programs written as the lecture's: no `listening on`, no flags.
  bool strict = false;   // Deviations fail the run too.
  bool isolate = false;  // Shown in the reports; main enters the private network itself.
  // Clauses ("T5") or check IDs ("T5.skip-short-lines"); empty `only` selects every check.
  std::vector<std::string> only, skip;
  double timeout_seconds = 0;  // Overall; 0: none. Checks not started in time are "not run".
};

// A selector that names no clause and no check ID, or nullopt if all of them do.
std::optional<std::string> UnknownSelector(const RunOptions& options);
bool Selected(const Scenario& scenario, const RunOptions& options);

struct Result {
  std::string id;
  Role role;
  std::string title;
  Outcome outcome;
  double seconds = 0;
  std::string clause() const { return ClauseOf(id); }
};

struct Counts {
  std::array<int, kVerdictCount> by_verdict{};
  int operator[](Verdict verdict) const { return by_verdict[static_cast<std::size_t>(verdict)]; }
  int judged() const {
    return (*this)[Verdict::kPass] + (*this)[Verdict::kFail] + (*this)[Verdict::kDeviation];
  }
};
Counts CountVerdicts(const std::vector<Result>& results);

// A clause's score: checks passed out of checks judged (pass, fail or deviation). A deviation
// is not a pass, whatever --strict says; it fails the run only under --strict.
struct ClauseScore {
  std::string clause;
  Counts counts;
  std::string Text() const;  // "4/5", or "-" when nothing was judged.
};
std::vector<ClauseScore> ScoreByClause(const std::vector<Result>& results);

struct Report {
  Programs programs;
  RunOptions options;
  std::vector<Result> results;
  bool timed_out = false;
  // No failure, no check left unrun by the timeout, and under --strict no deviation.
  bool Passed() const;
};

// Runs every selected check whose role has a program, in order, each followed by
// Kit::EndEverything. `progress`, if set, is called after each check.
Report RunAll(const Programs& programs, const RunOptions& options,
              const std::function<void(const Result&)>& progress = {});

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_RUN_H_

// run.cc: selection, the overall time limit, counts and scores, and the run itself.
#include "harness/conformance/run.h"

#include <algorithm>
#include <chrono>

namespace netref::conformance {
namespace {

bool Matches(const Scenario& scenario, const std::string& selector) {
  return selector == scenario.id || selector == ClauseOf(scenario.id);
}

bool MatchesAny(const Scenario& scenario, const std::vector<std::string>& selectors) {
  return std::any_of(selectors.begin(), selectors.end(),
                     [&](const std::string& s) { return Matches(scenario, s); });
}

}  // namespace

std::optional<std::string> UnknownSelector(const RunOptions& options) {
  for (const std::vector<std::string>* list : {&options.only, &options.skip}) {
    for (const std::string& selector : *list) {
      const auto& all = AllScenarios();
      if (std::none_of(all.begin(), all.end(),
                       [&](const Scenario& s) { return Matches(s, selector); })) {
        return selector;
      }
    }
  }
  return std::nullopt;
}

bool Selected(const Scenario& scenario, const RunOptions& options) {
  if (!options.only.empty() && !MatchesAny(scenario, options.only)) return false;
  return !MatchesAny(scenario, options.skip);
}

Counts CountVerdicts(const std::vector<Result>& results) {
  Counts counts;
  for (const Result& r : results) ++counts.by_verdict[static_cast<std::size_t>(r.outcome.verdict)];
  return counts;
}

std::string ClauseScore::Text() const {
  if (counts.judged() == 0) return "-";
  return std::to_string(counts[Verdict::kPass]) + "/" + std::to_string(counts.judged());
}

std::vector<ClauseScore> ScoreByClause(const std::vector<Result>& results) {
  std::vector<ClauseScore> scores;
  for (const std::string& clause : ClauseOrder()) {
    std::vector<Result> of_clause;
    std::copy_if(results.begin(), results.end(), std::back_inserter(of_clause),
                 [&](const Result& r) { return r.clause() == clause; });
    if (!of_clause.empty()) scores.push_back({clause, CountVerdicts(of_clause)});
  }
  return scores;
}

bool Report::Passed() const {
  const Counts counts = CountVerdicts(results);
  return counts[Verdict::kFail] == 0 && counts[Verdict::kNotRun] == 0 &&
         !(options.strict && counts[Verdict::kDeviation] > 0);
}

Report RunAll(const Programs& programs, const RunOptions& options,
              const std::function<void(const Result&)>& progress) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const auto out_of_time = [&] {
    return options.timeout_seconds > 0 &&
           std::chrono::duration<double>(Clock::now() - start).count() >= options.timeout_seconds;
  };
  Kit kit(programs, options.lecture);
  Report report{programs, options, {}, false};
  for (const Scenario& scenario : AllScenarios()) {
    Result result{scenario.id, scenario.role, scenario.title, {}, 0};
    const Clock::time_point began = Clock::now();
    if (!kit.Has(scenario.role)) {
      result.outcome = NotJudged(Verdict::kNotApplicable, "program not given");
    } else if (!Selected(scenario, options)) {
      result.outcome = NotJudged(Verdict::kSkipped, "not selected (--only/--skip)");
    } else if (options.lecture && scenario.extension) {
      result.outcome =
          NotJudged(Verdict::kNotApplicable, "a netref extension: not judged in --lecture mode");
    } else if (out_of_time()) {
      report.timed_out = true;
      result.outcome = NotJudged(Verdict::kNotRun, "the overall --timeout was reached first");
    } else if (const std::optional<std::string> missing = kit.Missing(scenario.role)) {
      result.outcome = Fail("the program runs", *missing);
    } else {
      result.outcome = scenario.run(kit);
      Kit::EndEverything();  // Every process the check started is ended and reaped here.
    }
    result.seconds = std::chrono::duration<double>(Clock::now() - began).count();
    if (progress) progress(result);
    report.results.push_back(std::move(result));
  }
  return report;
}

}  // namespace netref::conformance

// report_text.cc: the reports a terminal or an autograder reads on stdout: the table, TAP, the
// list of checks, and the pieces every format shares (detail, counts, scores).
#include <set>

#include "harness/conformance/report.h"

namespace netref::conformance {
namespace {

std::string Pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

bool Judged(Verdict verdict) {
  return verdict == Verdict::kPass || verdict == Verdict::kFail || verdict == Verdict::kDeviation;
}

// TAP's YAML block wants one line per value: single-quoted, with ' doubled.
std::string YamlQuoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out + "'";
}

}  // namespace

std::string_view KitVersion() { return NETREF_VERSION; }

std::string Detail(const Outcome& outcome) {
  switch (outcome.verdict) {
    case Verdict::kPass:
      return "";
    case Verdict::kDeviation:
      return outcome.deviation + ": expected " + outcome.expected + "; observed " +
             outcome.observed;
    case Verdict::kFail:
      return "expected " + outcome.expected + "; observed " + outcome.observed;
    case Verdict::kNotApplicable:
    case Verdict::kSkipped:
    case Verdict::kNotRun:
      return outcome.observed;
  }
  return "";
}

std::string CountsText(const Counts& counts) {
  std::string text = std::to_string(counts[Verdict::kPass]) + " pass, " +
                     std::to_string(counts[Verdict::kFail]) + " fail, " +
                     std::to_string(counts[Verdict::kDeviation]) + " deviation, " +
                     std::to_string(counts[Verdict::kNotApplicable]) + " n/a";
  if (counts[Verdict::kSkipped] > 0)
    text += ", " + std::to_string(counts[Verdict::kSkipped]) + " skipped";
  if (counts[Verdict::kNotRun] > 0)
    text += ", " + std::to_string(counts[Verdict::kNotRun]) + " not run";
  return text;
}

std::string ScoresText(const std::vector<ClauseScore>& scores) {
  std::string text;
  for (const ClauseScore& score : scores) {
    if (score.counts.judged() == 0) continue;
    text += (text.empty() ? "" : ", ") + score.clause + " " + score.Text();
  }
  return text.empty() ? "nothing judged" : text;
}

std::string FormatTable(const Report& report) {
  const std::vector<Result>& results = report.results;
  std::string out = Pad("CHECK", 26) + Pad("PROGRAM", 17) + Pad("VERDICT", 10) + "WHAT\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    if (!Judged(r.outcome.verdict)) {
      // Checks not judged for the same reason in a row: one line for all, not a screen of n/a.
      std::set<std::string> clauses;
      std::size_t end = i;
      for (; end < results.size() && results[end].role == r.role &&
             results[end].outcome.verdict == r.outcome.verdict &&
             results[end].outcome.observed == r.outcome.observed;
           ++end) {
        clauses.insert(results[end].clause());
      }
      std::string names;
      for (const std::string& clause : clauses) names += (names.empty() ? "" : " ") + clause;
      out += Pad(end - i == 1 ? r.id : "-", 26) + Pad(std::string(RoleName(r.role)), 17) +
             Pad(std::string(VerdictName(r.outcome.verdict)), 10) +
             (end - i == 1 ? "" : std::to_string(end - i) + " checks (" + names + "): ") +
             r.outcome.observed + "\n";
      i = end - 1;
      continue;
    }
    out += Pad(r.id, 26) + Pad(std::string(RoleName(r.role)), 17) +
           Pad(std::string(VerdictName(r.outcome.verdict)), 10) + r.title + "\n";
    if (r.outcome.verdict != Verdict::kPass) out += Pad("", 53) + "-> " + Detail(r.outcome) + "\n";
  }
  out += CountsText(CountVerdicts(results)) + "\n";
  out += "score by clause (passed/judged): " + ScoresText(ScoreByClause(results)) + "\n";
  out += std::string("result: ") + (report.Passed() ? "pass" : "FAIL") +
         (report.options.strict ? " (--strict: deviations fail the run)" : "") +
         (report.timed_out ? " (--timeout reached: not every check ran)" : "") + "\n";
  return out;
}

std::string FormatTap(const Report& report) {
  std::string out = "TAP version 13\n1.." + std::to_string(report.results.size()) + "\n";
  int number = 0;
  for (const Result& r : report.results) {
    const Verdict v = r.outcome.verdict;
    const bool ok = v == Verdict::kPass || v == Verdict::kNotApplicable || v == Verdict::kSkipped;
    out += std::string(ok ? "ok " : "not ok ") + std::to_string(++number) + " - " +
           std::string(RoleName(r.role)) + " " + r.id + ": " + r.title;
    if (v == Verdict::kNotApplicable || v == Verdict::kSkipped) {
      out += " # SKIP " + r.outcome.observed;
    } else if (v == Verdict::kDeviation && !report.options.strict) {
      // TODO: a known failure that does not fail the run (TAP's own meaning of the word).
      out += " # TODO deviation: " + r.outcome.deviation;
    }
    out += "\n";
    if (!ok) {
      out += "  ---\n";
      if (v == Verdict::kDeviation) out += "  deviation: " + YamlQuoted(r.outcome.deviation) + "\n";
      if (v == Verdict::kNotRun) {
        out += "  reason: " + YamlQuoted(r.outcome.observed) + "\n";
      } else {
        out += "  expected: " + YamlQuoted(r.outcome.expected) + "\n";
        out += "  observed: " + YamlQuoted(r.outcome.observed) + "\n";
      }
      out += "  ...\n";
    }
  }
  out += "# " + CountsText(CountVerdicts(report.results)) + "\n";
  out += "# score by clause: " + ScoresText(ScoreByClause(report.results)) + "\n";
  return out;
}

std::string FormatCheckList(bool lecture) {
  std::string out = Pad("CHECK", 26) + Pad("PROGRAM", 17) + "WHAT\n";
  for (const Scenario& s : AllScenarios()) {
    out += Pad(s.id, 26) + Pad(std::string(RoleName(s.role)), 17) + s.title +
           (lecture && s.extension ? " (extension: not judged in --lecture mode)" : "") + "\n";
  }
  return out;
}

}  // namespace netref::conformance

// class_report.cc: the class table in Markdown (with each submission's failures and
// deviations below it) and in CSV.
#include <set>

#include "harness/conformance/class_grading.h"
#include "harness/conformance/report.h"

namespace netref::conformance {
namespace {

// The clauses judged in at least one submission, in report order.
std::vector<std::string> JudgedClauses(const std::vector<Graded>& graded) {
  std::set<std::string> judged;
  for (const Graded& g : graded) {
    for (const ClauseScore& score : ScoreByClause(g.report.results)) {
      if (score.counts.judged() > 0) judged.insert(score.clause);
    }
  }
  std::vector<std::string> ordered;
  for (const std::string& clause : ClauseOrder()) {
    if (judged.count(clause) > 0) ordered.push_back(clause);
  }
  return ordered;
}

// A submission's row: result, total score, then one score per clause in `clauses`.
std::vector<std::string> Row(const Graded& g, const std::vector<std::string>& clauses) {
  const Counts counts = CountVerdicts(g.report.results);
  std::vector<std::string> row = {
      g.submission.name, g.problem.empty() ? (g.Passed() ? "pass" : "FAIL") : "not graded",
      std::to_string(counts[Verdict::kPass]) + "/" + std::to_string(counts.judged())};
  const std::vector<ClauseScore> scores = ScoreByClause(g.report.results);
  for (const std::string& clause : clauses) {
    std::string cell = "-";
    for (const ClauseScore& score : scores) {
      if (score.clause == clause) cell = score.Text();
    }
    row.push_back(cell);
  }
  return row;
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string FormatClassMarkdown(const std::vector<Graded>& graded, const RunOptions& options) {
  const std::vector<std::string> clauses = JudgedClauses(graded);
  int passed = 0;
  for (const Graded& g : graded) passed += g.Passed();
  std::string out = "# netref class report\n\n" + std::to_string(graded.size()) + " submissions, " +
                    std::to_string(passed) + " pass. Kit version " + std::string(KitVersion()) +
                    (options.lecture ? ", `--lecture` mode" : "") +
                    (options.strict ? ", `--strict`" : "") +
                    ". Each cell: checks passed / checks judged for that clause (a deviation "
                    "is not a pass; `-`: nothing judged).\n\n| Submission | Result | Score |";
  std::string rule = "|---|---|---|";
  for (const std::string& clause : clauses) {
    out += " " + clause + " |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (const Graded& g : graded) {
    out += "|";
    for (const std::string& cell : Row(g, clauses)) out += " " + MarkdownCell(cell) + " |";
    out += "\n";
  }
  for (const Graded& g : graded) {
    std::string details;
    if (!g.problem.empty()) details += "- not graded: " + g.problem + "\n";
    for (const Result& r : g.report.results) {
      if (r.outcome.verdict == Verdict::kFail || r.outcome.verdict == Verdict::kDeviation ||
          r.outcome.verdict == Verdict::kNotRun) {
        details += "- `" + r.id + "` " + std::string(RoleName(r.role)) + " " +
                   std::string(VerdictName(r.outcome.verdict)) + ": " +
                   MarkdownCell(Detail(r.outcome)) + "\n";
      }
    }
    if (!details.empty()) out += "\n## " + g.submission.name + "\n\n" + details;
  }
  return out;
}

std::string FormatClassCsv(const std::vector<Graded>& graded) {
  const std::vector<std::string> clauses = JudgedClauses(graded);
  std::string out = "submission,result,score";
  for (const std::string& clause : clauses) out += "," + clause;
  out += "\n";
  for (const Graded& g : graded) {
    const std::vector<std::string> row = Row(g, clauses);
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + CsvField(row[i]);
    out += "\n";
  }
  return out;
}

}  // namespace netref::conformance

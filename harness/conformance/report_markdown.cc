// report_markdown.cc: the self-contained Markdown report: the result (as --strict decides it),
// the programs, the score of each clause, and every check.
#include "harness/conformance/report.h"

namespace netref::conformance {

std::string MarkdownCell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string FormatMarkdown(const Report& report) {
  const Counts counts = CountVerdicts(report.results);
  std::string out = "# netref conformance report\n\n";
  out += report.Passed() ? "**Result: pass**" : "**Result: FAIL**";
  out += " (" + CountsText(counts) + ")" +
         (report.options.strict ? "; with `--strict`, a deviation fails the run" : "") +
         (report.timed_out ? "; the `--timeout` came before every check ran" : "") +
         ". A *deviation* is a known bug of the lecture's program, named; it fails the run "
         "only with `--strict`.\n\nKit version " +
         std::string(KitVersion()) + (report.options.lecture ? ", `--lecture` mode" : "") +
         ".\n\n## Programs\n\n";
  for (Role role : kAllRoles) {
    out += "- " + std::string(RoleName(role)) + ": " +
           (report.programs[role] ? "`" + *report.programs[role] + "`" : std::string("not given")) +
           "\n";
  }
  out +=
      "\n## Score by clause\n\nChecks passed out of checks judged (a deviation is not a "
      "pass).\n\n| Clause | Score | Pass | Fail | Deviation |\n|---|---|---|---|---|\n";
  for (const ClauseScore& score : ScoreByClause(report.results)) {
    if (score.counts.judged() == 0) continue;
    out += "| " + score.clause + " | " + score.Text() + " | " +
           std::to_string(score.counts[Verdict::kPass]) + " | " +
           std::to_string(score.counts[Verdict::kFail]) + " | " +
           std::to_string(score.counts[Verdict::kDeviation]) + " |\n";
  }
  out += "\n## Checks\n\n| Check | Program | Verdict | What | Detail |\n|---|---|---|---|---|\n";
  for (const Result& r : report.results) {
    out += "| `" + r.id + "` | " + std::string(RoleName(r.role)) + " | " +
           std::string(VerdictName(r.outcome.verdict)) + " | " + MarkdownCell(r.title) + " | " +
           MarkdownCell(Detail(r.outcome)) + " |\n";
  }
  out +=
      "\nClause IDs are those of the lecture's specification (netref's `docs/spec.md`): G "
      "general, T TCP echo, C UDP chat, S signals.\n";
  return out;
}

}  // namespace netref::conformance

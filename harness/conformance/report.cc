// report.cc: runs the scenarios and writes the clause-by-clause report: a terminal table, JSON
// for machines, and a self-contained Markdown page for people. Must not: decide a verdict (the
// scenarios do) or hide one (every row is shown, n/a included).
#include <chrono>
#include <cstdio>
#include <set>

#include "harness/conformance/kit.h"

namespace netref::conformance {
namespace {

std::string JsonString(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// What a row says after its verdict: the deviation's name, or observed versus expected.
std::string Detail(const Outcome& outcome) {
  switch (outcome.verdict) {
    case Verdict::kPass:
      return "";
    case Verdict::kNotApplicable:
      return "program not given";
    case Verdict::kDeviation:
      return outcome.deviation + ": expected " + outcome.expected + "; observed " +
             outcome.observed;
    case Verdict::kFail:
      return "expected " + outcome.expected + "; observed " + outcome.observed;
  }
  return "";
}

std::string Pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string Counts(const std::vector<Result>& results) {
  int counts[4] = {0, 0, 0, 0};
  for (const Result& r : results) ++counts[static_cast<int>(r.outcome.verdict)];
  return std::to_string(counts[0]) + " pass, " + std::to_string(counts[1]) + " fail, " +
         std::to_string(counts[2]) + " deviation, " + std::to_string(counts[3]) + " n/a";
}

}  // namespace

std::vector<Result> RunAll(const Programs& programs,
                           const std::function<void(const Result&)>& progress) {
  Kit kit(programs);
  std::vector<Result> results;
  for (const Scenario& scenario : AllScenarios()) {
    Result result{scenario.clause, scenario.role, scenario.title, {}, 0};
    const auto start = std::chrono::steady_clock::now();
    if (!kit.Has(scenario.role)) {
      result.outcome.verdict = Verdict::kNotApplicable;
    } else {
      result.outcome = scenario.run(kit);
      Kit::EndEverything();  // Every process the scenario started is ended and reaped here.
    }
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (progress) progress(result);
    results.push_back(std::move(result));
  }
  return results;
}

bool RunPassed(const std::vector<Result>& results, bool strict) {
  for (const Result& r : results) {
    if (r.outcome.verdict == Verdict::kFail) return false;
    if (strict && r.outcome.verdict == Verdict::kDeviation) return false;
  }
  return true;
}

std::string FormatTable(const std::vector<Result>& results) {
  std::string out = Pad("CLAUSE", 7) + Pad("PROGRAM", 17) + Pad("VERDICT", 10) + "CHECK\n";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    if (r.outcome.verdict == Verdict::kNotApplicable) {
      // A program not given: one line for all its checks, not a screen of n/a.
      std::set<std::string> clauses;
      std::size_t end = i;
      for (; end < results.size() && results[end].role == r.role &&
             results[end].outcome.verdict == Verdict::kNotApplicable;
           ++end) {
        clauses.insert(results[end].clause);
      }
      std::string names;
      for (const std::string& clause : clauses) names += (names.empty() ? "" : " ") + clause;
      out += Pad("-", 7) + Pad(std::string(RoleName(r.role)), 17) + Pad("n/a", 10) +
             std::to_string(end - i) + (end - i == 1 ? " check (" : " checks (") + names +
             "): program not given\n";
      i = end - 1;
      continue;
    }
    out += Pad(r.clause, 7) + Pad(std::string(RoleName(r.role)), 17) +
           Pad(std::string(VerdictName(r.outcome.verdict)), 10) + r.title + "\n";
    if (r.outcome.verdict == Verdict::kFail || r.outcome.verdict == Verdict::kDeviation) {
      out += Pad("", 34) + "-> " + Detail(r.outcome) + "\n";
    }
  }
  return out + Counts(results) + "\n";
}

std::string FormatJson(const std::vector<Result>& results, const Programs& programs) {
  std::string out = "{\n  \"programs\": {";
  bool first = true;
  for (int i = 0; i < kRoleCount; ++i) {
    const Role role = static_cast<Role>(i);
    if (!programs[role]) continue;
    out += std::string(first ? "" : ",") + "\n    " + JsonString(RoleName(role)) + ": " +
           JsonString(*programs[role]);
    first = false;
  }
  out += "\n  },\n  \"passed\": " + std::string(RunPassed(results, false) ? "true" : "false") +
         ",\n  \"results\": [";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", r.seconds);
    out +=
        std::string(i == 0 ? "" : ",") + "\n    {\"clause\": " + JsonString(r.clause) +
        ", \"program\": " + JsonString(RoleName(r.role)) + ", \"check\": " + JsonString(r.title) +
        ", \"verdict\": " +
        JsonString(r.outcome.verdict == Verdict::kFail ? "fail" : VerdictName(r.outcome.verdict)) +
        ", \"deviation\": " + JsonString(r.outcome.deviation) +
        ", \"expected\": " + JsonString(r.outcome.expected) +
        ", \"observed\": " + JsonString(r.outcome.observed) + ", \"seconds\": " + seconds + "}";
  }
  return out + "\n  ]\n}\n";
}

std::string FormatMarkdown(const std::vector<Result>& results, const Programs& programs) {
  const auto cell = [](std::string text) {
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
  };
  std::string out = "# netref conformance report\n\n";
  out += RunPassed(results, false) ? "**Result: pass**" : "**Result: FAIL**";
  out += " (" + Counts(results) +
         "). A *deviation* is a known bug of the lecture's program, "
         "named; it fails the run only with `--strict`.\n\n## Programs\n\n";
  for (int i = 0; i < kRoleCount; ++i) {
    const Role role = static_cast<Role>(i);
    out += "- " + std::string(RoleName(role)) + ": " +
           (programs[role] ? "`" + *programs[role] + "`" : std::string("not given")) + "\n";
  }
  out += "\n## Clauses\n\n| Clause | Program | Verdict | Check | Detail |\n|---|---|---|---|---|\n";
  for (const Result& r : results) {
    out += "| " + r.clause + " | " + std::string(RoleName(r.role)) + " | " +
           std::string(VerdictName(r.outcome.verdict)) + " | " + cell(r.title) + " | " +
           cell(Detail(r.outcome)) + " |\n";
  }
  out +=
      "\nClause IDs are those of the lecture's specification (`docs/spec.md`): G general, "
      "T TCP echo, C UDP chat.\n";
  return out;
}

}  // namespace netref::conformance

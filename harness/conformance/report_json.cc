// report_json.cc: the JSON report: the kit's version, the flags it ran with, the programs, the
// verdict counts and per-clause scores, and every check's result.
#include <cstdio>

#include "harness/conformance/report.h"

namespace netref::conformance {
namespace {

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + JsonString(items[i]);
  return out + "]";
}

std::string JsonVerdict(Verdict verdict) {
  return JsonString(verdict == Verdict::kFail ? "fail" : VerdictName(verdict));
}

std::string JsonCounts(const Counts& counts) {
  std::string out = "{";
  for (int v = 0; v < kVerdictCount; ++v) {
    const Verdict verdict = static_cast<Verdict>(v);
    out += (v ? ", " : "") + JsonVerdict(verdict) + ": " + std::to_string(counts[verdict]);
  }
  return out + ", \"judged\": " + std::to_string(counts.judged()) + "}";
}

}  // namespace

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

std::string FormatJson(const Report& report) {
  const RunOptions& o = report.options;
  char timeout[32];
  std::snprintf(timeout, sizeof timeout, "%g", o.timeout_seconds);
  std::string out =
      "{\n  \"kit\": \"netref-conform\",\n  \"version\": " + JsonString(KitVersion()) +
      ",\n  \"flags\": {\"lecture\": " + (o.lecture ? "true" : "false") +
      ", \"strict\": " + (o.strict ? "true" : "false") +
      ", \"isolate\": " + (o.isolate ? "true" : "false") + ", \"only\": " + JsonList(o.only) +
      ", \"skip\": " + JsonList(o.skip) + ", \"timeout_seconds\": " + timeout +
      "},\n  \"programs\": {";
  bool first = true;
  for (Role role : kAllRoles) {
    if (!report.programs[role]) continue;
    out += std::string(first ? "" : ",") + "\n    " + JsonString(RoleName(role)) + ": " +
           JsonString(*report.programs[role]);
    first = false;
  }
  out += "\n  },\n  \"passed\": " + std::string(report.Passed() ? "true" : "false") +
         ",\n  \"timed_out\": " + (report.timed_out ? "true" : "false") +
         ",\n  \"counts\": " + JsonCounts(CountVerdicts(report.results)) + ",\n  \"scores\": {";
  first = true;
  for (const ClauseScore& score : ScoreByClause(report.results)) {
    out += std::string(first ? "" : ",") + "\n    " + JsonString(score.clause) + ": " +
           JsonCounts(score.counts);
    first = false;
  }
  out += "\n  },\n  \"results\": [";
  for (std::size_t i = 0; i < report.results.size(); ++i) {
    const Result& r = report.results[i];
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.3f", r.seconds);
    out += std::string(i == 0 ? "" : ",") + "\n    {\"id\": " + JsonString(r.id) +
           ", \"clause\": " + JsonString(r.clause()) +
           ", \"program\": " + JsonString(RoleName(r.role)) +
           ", \"check\": " + JsonString(r.title) +
           ", \"verdict\": " + JsonVerdict(r.outcome.verdict) +
           ", \"deviation\": " + JsonString(r.outcome.deviation) +
           ", \"expected\": " + JsonString(r.outcome.expected) +
           ", \"observed\": " + JsonString(r.outcome.observed) + ", \"seconds\": " + seconds + "}";
  }
  return out + "\n  ]\n}\n";
}

}  // namespace netref::conformance

// report_junit.cc: JUnit XML, as h2spec writes it: one <testsuite> per program, one <testcase>
// per check. A failure (or, under --strict, a deviation) is a <failure>; a check the overall
// --timeout left unrun is an <error>; n/a and deselected checks are <skipped>. A deviation
// allowed without --strict passes, with its name in <system-out>.
#include <cstdio>

#include "harness/conformance/report.h"

namespace netref::conformance {
namespace {

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", seconds);
  return text;
}

struct SuiteCounts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
};

enum class Kind { kPassed, kFailure, kError, kSkipped };

Kind KindOf(const Outcome& outcome, bool strict) {
  switch (outcome.verdict) {
    case Verdict::kPass:
      return Kind::kPassed;
    case Verdict::kFail:
      return Kind::kFailure;
    case Verdict::kDeviation:
      return strict ? Kind::kFailure : Kind::kPassed;
    case Verdict::kNotRun:
      return Kind::kError;
    case Verdict::kNotApplicable:
    case Verdict::kSkipped:
      return Kind::kSkipped;
  }
  return Kind::kError;
}

void Add(SuiteCounts& counts, Kind kind, double seconds) {
  ++counts.tests;
  counts.failures += kind == Kind::kFailure;
  counts.errors += kind == Kind::kError;
  counts.skipped += kind == Kind::kSkipped;
  counts.seconds += seconds;
}

std::string Attributes(const SuiteCounts& c) {
  return " tests=\"" + std::to_string(c.tests) + "\" failures=\"" + std::to_string(c.failures) +
         "\" errors=\"" + std::to_string(c.errors) + "\" skipped=\"" + std::to_string(c.skipped) +
         "\" time=\"" + Seconds(c.seconds) + "\"";
}

}  // namespace

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return (the
        // report's bytes are already escaped by Escape; this is for the rest).
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += '?';
        else
          out += static_cast<char>(c);
    }
  }
  return out;
}

std::string FormatJunit(const Report& report) {
  const bool strict = report.options.strict;
  SuiteCounts total;
  std::string suites;
  for (Role role : kAllRoles) {
    SuiteCounts counts;
    std::string cases;
    for (const Result& r : report.results) {
      if (r.role != role) continue;
      const Kind kind = KindOf(r.outcome, strict);
      Add(counts, kind, r.seconds);
      Add(total, kind, r.seconds);
      cases += "    <testcase classname=\"netref-conform." + std::string(RoleName(role)) +
               "\" name=\"" + XmlEscape(r.id + ": " + r.title) + "\" time=\"" + Seconds(r.seconds) +
               "\"";
      const std::string detail = XmlEscape(Detail(r.outcome));
      switch (kind) {
        case Kind::kPassed:
          cases += r.outcome.verdict == Verdict::kDeviation
                       ? "><system-out>deviation (allowed without --strict): " + detail +
                             "</system-out></testcase>\n"
                       : "/>\n";
          break;
        case Kind::kFailure:
          cases +=
              "><failure message=\"" +
              XmlEscape(r.outcome.verdict == Verdict::kDeviation ? r.outcome.deviation : "fail") +
              "\" type=\"" + std::string(VerdictName(r.outcome.verdict)) + "\">" + detail +
              "</failure></testcase>\n";
          break;
        case Kind::kError:
          cases += "><error message=\"not run\">" + detail + "</error></testcase>\n";
          break;
        case Kind::kSkipped:
          cases += "><skipped message=\"" + detail + "\"/></testcase>\n";
          break;
      }
    }
    suites += "  <testsuite name=\"" + std::string(RoleName(role)) + "\"" + Attributes(counts) +
              ">\n" + cases + "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"netref-conform " +
         XmlEscape(KitVersion()) + "\"" + Attributes(total) + ">\n" + suites + "</testsuites>\n";
}

}  // namespace netref::conformance

// result_codec.cc: a report as text through a pipe, from a grading worker to its parent. One
// line per check: ID, role, verdict, deviation, expected, observed, seconds; tab-separated,
// with backslash, tab and newline escaped. The first line says whether the run timed out.
#include <cstdlib>
#include <sstream>

#include "harness/conformance/class_grading.h"

namespace netref::conformance {
namespace {

std::string Escaped(const std::string& field) {
  std::string out;
  for (char c : field) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string Unescaped(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      out += field[i];
      continue;
    }
    const char next = field[++i];
    out += next == 't' ? '\t' : next == 'n' ? '\n' : next;
  }
  return out;
}

}  // namespace

std::string EncodeResults(const Report& report) {
  std::string out = std::string("timed_out\t") + (report.timed_out ? "1" : "0") + "\n";
  for (const Result& r : report.results) {
    out += Escaped(r.id) + "\t" + std::string(RoleName(r.role)) + "\t" +
           std::to_string(static_cast<int>(r.outcome.verdict)) + "\t" +
           Escaped(r.outcome.deviation) + "\t" + Escaped(r.outcome.expected) + "\t" +
           Escaped(r.outcome.observed) + "\t" + std::to_string(r.seconds) + "\n";
  }
  return out;
}

std::optional<Report> DecodeResults(const std::string& text, const Programs& programs,
                                    const RunOptions& options) {
  Report report{programs, options, {}, false};
  std::istringstream lines(text);
  std::string line;
  if (!std::getline(lines, line) || line.rfind("timed_out\t", 0) != 0) return std::nullopt;
  report.timed_out = line.back() == '1';
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      fields.push_back(line.substr(start, tab - start));
    }
    fields.push_back(line.substr(start));
    const std::optional<Role> role = fields.size() == 7 ? RoleNamed(fields[1]) : std::nullopt;
    const int verdict = fields.size() == 7 ? std::atoi(fields[2].c_str()) : -1;
    if (!role || verdict < 0 || verdict >= kVerdictCount) return std::nullopt;
    Result result{Unescaped(fields[0]), *role, "", {}, std::atof(fields[6].c_str())};
    result.outcome = {static_cast<Verdict>(verdict), Unescaped(fields[3]), Unescaped(fields[4]),
                      Unescaped(fields[5])};
    for (const Scenario& s : AllScenarios()) {
      if (s.id == result.id && s.role == result.role) result.title = s.title;
    }
    report.results.push_back(std::move(result));
  }
  return report;
}

}  // namespace netref::conformance

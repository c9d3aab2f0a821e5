// report.h: a kit run's verdicts written out: a terminal table, TAP (for an autograder reading
// stdout), JSON (for machines: with the kit version, the flags and the counts), a
// self-contained Markdown page (for people), JUnit XML (for a CI system: one testcase per
// check), and the list of every check. Must not: decide a verdict (the checks do) or hide one
// (every check appears in every format, n/a included).
#ifndef NETREF_HARNESS_CONFORMANCE_REPORT_H_
#define NETREF_HARNESS_CONFORMANCE_REPORT_H_

#include <string>
#include <string_view>

#include "harness/conformance/run.h"

namespace netref::conformance {

// The kit's version: the project's (CMake's PROJECT_VERSION).
std::string_view KitVersion();

// What a row says after its verdict: the deviation's name, or observed versus expected, or why
// the check was not judged.
std::string Detail(const Outcome& outcome);
// "12 pass, 1 fail, 3 deviation, 14 n/a" (skipped and not run only when there are some).
std::string CountsText(const Counts& counts);
// "G1 6/6, G2 -, T2 3/4, ...": the per-clause scores.
std::string ScoresText(const std::vector<ClauseScore>& scores);

std::string FormatTable(const Report& report);
std::string FormatTap(const Report& report);
std::string FormatJson(const Report& report);
std::string FormatMarkdown(const Report& report);
std::string FormatJunit(const Report& report);
// Every check: program, ID, title; in --lecture mode the extensions are marked.
std::string FormatCheckList(bool lecture);

// Text escaped for a JSON string literal (quotes included), for XML character data and
// attributes, and for a Markdown table cell.
std::string JsonString(std::string_view text);
std::string XmlEscape(std::string_view text);
std::string MarkdownCell(std::string_view text);

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_REPORT_H_

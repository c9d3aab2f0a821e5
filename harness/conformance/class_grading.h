// class_grading.h: --class DIR: every submission folder in DIR graded by the kit, N at a time,
// each in a process of its own (and with --isolate in a network namespace of its own), and one
// table: a row per submission, a column per clause, in Markdown and CSV.
//
// A submission is a folder holding the programs under their lecture names (LectureName: an
// executable `multiProcessTcpServer` is the fork server, run as `./multiProcessTcpServer
// {port}`), or a manifest `netref-conform.txt` of `ROLE = TEMPLATE` lines (`#` starts a
// comment) for programs named otherwise; the manifest wins for the roles it names. Templates
// run with the submission folder as the working directory.
// Must not: grade two submissions in one process (a kit ends every process below its own), or
// let a worker's stdio buffers be flushed twice (workers end with _exit).
#ifndef NETREF_HARNESS_CONFORMANCE_CLASS_GRADING_H_
#define NETREF_HARNESS_CONFORMANCE_CLASS_GRADING_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/conformance/kit.h"
#include "harness/conformance/run.h"

namespace netref::conformance {

inline constexpr char kManifestName[] = "netref-conform.txt";

struct Submission {
  std::string name;       // The folder's name.
  std::string directory;  // Its path.
  Programs programs;
  std::string problem;  // Why it cannot be graded (a bad manifest, no program), or empty.
};

// The submission folders in `dir`, sorted by name (hidden ones left out); nullopt with `error`
// if `dir` cannot be read.
std::optional<std::vector<Submission>> FindSubmissions(const std::string& dir, std::string* error);
// The programs in one folder: its manifest, then the lecture names for the other roles.
Programs ProgramsIn(const std::string& directory, std::string* problem);

struct Graded {
  Submission submission;
  Report report;
  std::string problem;  // The submission's own, or what went wrong grading it.
  bool Passed() const { return problem.empty() && report.Passed(); }
};

// Grades every submission, `jobs` at a time; `done` is called as each finishes.
std::vector<Graded> GradeClass(const std::vector<Submission>& submissions,
                               const RunOptions& options, int jobs,
                               const std::function<void(const Graded&)>& done = {});

// One submission's results as lines of tab-separated, escaped fields, and back: how a worker
// hands its report to the parent through a pipe.
std::string EncodeResults(const Report& report);
std::optional<Report> DecodeResults(const std::string& text, const Programs& programs,
                                    const RunOptions& options);

// The class table: a row per submission, a column per clause judged anywhere, each cell the
// clause's score (passed/judged); the Markdown also lists each submission's failures.
std::string FormatClassMarkdown(const std::vector<Graded>& graded, const RunOptions& options);
std::string FormatClassCsv(const std::vector<Graded>& graded);

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_CLASS_GRADING_H_

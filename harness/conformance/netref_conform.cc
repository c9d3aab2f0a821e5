// netref-conform: runs the conformance kit's checks against the programs given as command
// templates (or against every submission of a class) and reports clause by clause. Exit 0 if
// nothing failed (deviations allowed unless --strict), 1 if a check failed, 2 on a usage error,
// 3 if the kit could not run as asked.
//
//   netref-conform --fork-server './a.out {port}' --test-client './client {ip} {port}'
//   netref-conform --class submissions/ --lecture --jobs 4 --isolate --csv class.csv
//
// Must not: use threads (the kit forks), or run a check for a program that was not given.
#include <cstdio>
#include <fstream>
#include <string>

#include "harness/conformance/class_grading.h"
#include "harness/conformance/cli_options.h"
#include "harness/conformance/network_isolation.h"
#include "harness/conformance/report.h"

namespace {

using namespace netref::conformance;

int UsageError(const std::string& why) {
  std::fprintf(stderr, "netref-conform: %s\n%s", why.c_str(), kUsage);
  return kExitUsage;
}

// Writes `text` to `path`; false (with a message) if it cannot.
bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.close();
  if (out) return true;
  std::fprintf(stderr, "netref-conform: cannot write %s\n", path.c_str());
  return false;
}

int GradeOne(const CliOptions& cli) {
  if (cli.run.isolate) {
    if (const std::optional<std::string> why = EnterPrivateNetwork()) {
      std::fprintf(stderr, "netref-conform: --isolate: %s\n", why->c_str());
      return kExitCannot;
    }
  }
  const bool table = !cli.json && !cli.tap;
  const Report report = RunAll(cli.programs, cli.run, [&](const Result& result) {
    const Verdict v = result.outcome.verdict;
    if (table && v != Verdict::kNotApplicable && v != Verdict::kSkipped) {
      std::fprintf(stderr, "  %-26s %-17s %s\n", result.id.c_str(),
                   std::string(RoleName(result.role)).c_str(), std::string(VerdictName(v)).c_str());
    }
  });
  const std::string text = cli.json  ? FormatJson(report)
                           : cli.tap ? FormatTap(report)
                                     : FormatTable(report);
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  if (!cli.markdown_path.empty() && !WriteFile(cli.markdown_path, FormatMarkdown(report))) {
    return kExitCannot;
  }
  if (!cli.junit_path.empty() && !WriteFile(cli.junit_path, FormatJunit(report))) {
    return kExitCannot;
  }
  return report.Passed() ? kExitPass : kExitFail;
}

int GradeClassFolder(const CliOptions& cli) {
  if (cli.json || cli.tap || !cli.junit_path.empty()) {
    return UsageError("--class writes a class table (Markdown, --csv): not --json, --tap, --junit");
  }
  std::string error;
  const std::optional<std::vector<Submission>> submissions = FindSubmissions(cli.class_dir, &error);
  if (!submissions || submissions->empty()) {
    std::fprintf(stderr, "netref-conform: --class: %s\n", error.c_str());
    return kExitCannot;
  }
  const std::vector<Graded> graded =
      GradeClass(*submissions, cli.run, cli.jobs, [](const Graded& g) {
        std::fprintf(stderr, "  %-24s %s\n", g.submission.name.c_str(),
                     !g.problem.empty() ? ("not graded: " + g.problem).c_str()
                     : g.Passed()       ? "pass"
                                        : "FAIL");
      });
  const std::string markdown = FormatClassMarkdown(graded, cli.run);
  std::fputs(markdown.c_str(), stdout);
  std::fflush(stdout);
  if (!cli.markdown_path.empty() && !WriteFile(cli.markdown_path, markdown)) return kExitCannot;
  if (!cli.csv_path.empty() && !WriteFile(cli.csv_path, FormatClassCsv(graded))) {
    return kExitCannot;
  }
  for (const Graded& g : graded) {
    if (!g.Passed()) return kExitFail;
  }
  return kExitPass;
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions cli;
  if (const std::optional<std::string> error =
          ParseCli(std::vector<std::string>(argv + 1, argv + argc), &cli)) {
    return UsageError(*error);
  }
  if (cli.help) {
    std::fputs(kUsage, stdout);
    return kExitPass;
  }
  if (cli.list) {
    std::fputs(FormatCheckList(cli.run.lecture).c_str(), stdout);
    return kExitPass;
  }
  return cli.class_dir.empty() ? GradeOne(cli) : GradeClassFolder(cli);
}

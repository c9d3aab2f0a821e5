// netref-conform: runs the conformance kit's scenarios against the programs given as command
// templates and prints a clause-by-clause report. Exit 0 if nothing failed (deviations allowed
// unless --strict), 1 if a clause failed, 2 on a usage error.
//
//   netref-conform --fork-server './a.out {port}' --test-client './client {ip} {port}'
//
// Must not: use threads (the kit forks), or run a scenario for a program that was not given.
#include <cstdio>
#include <fstream>
#include <string>

#include "harness/conformance/kit.h"

namespace {

constexpr char kUsage[] =
    "Usage: netref-conform [--iterative-server CMD] [--fork-server CMD] [--test-client CMD]\n"
    "                      [--chat-server CMD] [--chat-client CMD]\n"
    "                      [--json] [--markdown FILE] [--strict]\n"
    "CMD is run with /bin/sh -c after {ip} and {port} are filled in. A server that prints\n"
    "`listening on ADDR:PORT` is given port 0; any other gets a free port the kit picked.\n"
    "Exit status: 0 no failure (deviations allowed unless --strict), 1 failure, 2 usage.\n";

int UsageError(const std::string& why) {
  std::fprintf(stderr, "netref-conform: %s\n%s", why.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace netref::conformance;
  Programs programs{};
  bool json = false, strict = false;
  std::string markdown_path;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    const std::size_t equals = arg.find('=');
    const bool inline_value = arg.rfind("--", 0) == 0 && equals != std::string::npos;
    if (inline_value) {
      value = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    }
    const auto take_value = [&]() -> bool {
      if (inline_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--strict") {
      strict = true;
    } else if (arg == "--markdown") {
      if (!take_value()) return UsageError("--markdown needs a FILE");
      markdown_path = value;
    } else {
      bool known = false;
      for (int r = 0; r < kRoleCount; ++r) {
        const Role role = static_cast<Role>(r);
        if (arg != "--" + std::string(RoleName(role))) continue;
        if (!take_value() || value.empty()) return UsageError(arg + " needs a command");
        programs.Set(role, value);
        known = true;
      }
      if (!known) return UsageError("unknown argument `" + arg + "`");
    }
  }
  bool any = false;
  for (const auto& program : programs.templates) any = any || program.has_value();
  if (!any) return UsageError("give at least one program");

  const std::vector<Result> results = RunAll(programs, [&](const Result& result) {
    if (!json && result.outcome.verdict != Verdict::kNotApplicable) {
      std::fprintf(stderr, "  %s %s: %s\n", result.clause.c_str(),
                   std::string(RoleName(result.role)).c_str(),
                   std::string(VerdictName(result.outcome.verdict)).c_str());
    }
  });
  const std::string report = json ? FormatJson(results, programs) : FormatTable(results);
  std::fputs(report.c_str(), stdout);
  if (!markdown_path.empty()) {
    std::ofstream out(markdown_path);
    out << FormatMarkdown(results, programs);
    if (!out) {
      std::fprintf(stderr, "netref-conform: cannot write %s\n", markdown_path.c_str());
      return 1;
    }
  }
  return RunPassed(results, strict) ? 0 : 1;
}

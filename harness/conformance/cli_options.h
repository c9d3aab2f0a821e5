// cli_options.h: netref-conform's command line, parsed by a pure function (no printing, no
// exit), and its usage text, which lists every flag.
#ifndef NETREF_HARNESS_CONFORMANCE_CLI_OPTIONS_H_
#define NETREF_HARNESS_CONFORMANCE_CLI_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "harness/conformance/kit.h"
#include "harness/conformance/run.h"

namespace netref::conformance {

struct CliOptions {
  Programs programs;
  RunOptions run;
  bool help = false, list = false, json = false, tap = false;
  std::string markdown_path, junit_path, csv_path;
  std::string class_dir;  // --class DIR: grade every submission folder in DIR.
  int jobs = 1;
};

// Exit statuses: 0 every run passed, 1 a check failed (or a submission did), 2 a usage error,
// 3 the kit could not do what was asked (--isolate without root, a report it cannot write).
inline constexpr int kExitPass = 0, kExitFail = 1, kExitUsage = 2, kExitCannot = 3;

extern const char kUsage[];

// Parses argv; on a bad command line returns the reason ("--jobs: '0' must be 1..64").
std::optional<std::string> ParseCli(const std::vector<std::string>& args, CliOptions* options);

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_CLI_OPTIONS_H_

// cli_options_test.cc: netref-conform's command line: every flag the usage lists is accepted,
// every flag accepted is listed, and a bad value names the problem.
#include "harness/conformance/cli_options.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

namespace netref::conformance {
namespace {

std::optional<std::string> Parse(const std::vector<std::string>& args, CliOptions* options) {
  return ParseCli(args, options);
}

TEST(KitCommandLine, UsageListsEveryFlagAndEveryListedFlagIsAccepted) {
  // Claim: the flags in kUsage are exactly the flags ParseCli knows (so --help lists them all).
  const std::set<std::string> known = {"--iterative-server",
                                       "--fork-server",
                                       "--test-client",
                                       "--chat-server",
                                       "--chat-client",
                                       "--lives-demo",
                                       "--ignore-demo",
                                       "--lecture",
                                       "--only",
                                       "--skip",
                                       "--timeout",
                                       "--isolate",
                                       "--strict",
                                       "--json",
                                       "--tap",
                                       "--markdown",
                                       "--junit",
                                       "--csv",
                                       "--class",
                                       "--jobs",
                                       "--help",
                                       "--list"};
  std::set<std::string> listed;
  const std::string usage = kUsage;
  const std::regex flag("--[a-z]+(-[a-z]+)*");
  for (auto it = std::sregex_iterator(usage.begin(), usage.end(), flag);
       it != std::sregex_iterator(); ++it) {
    listed.insert(it->str());
  }
  EXPECT_EQ(listed, known);
  for (const std::string& name : known) {
    CliOptions options;
    const std::optional<std::string> error = Parse({name, "x"}, &options);
    EXPECT_TRUE(!error || error->find("unknown argument '" + name) == std::string::npos) << *error;
  }
}

TEST(KitCommandLine, BadValuesNameTheProblem) {
  // Claim: each bad command line is refused with a reason that names the flag and the value.
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--fork-server", "x", "--jobs", "0"}, "--jobs: '0' must be 1..64"},
      {{"--fork-server", "x", "--timeout", "soon"}, "--timeout: 'soon'"},
      {{"--fork-server", "x", "--only", "T9"}, "'T9' is neither a clause nor a check ID"},
      {{"--fork-server", "x", "--skip", "T4.nope"}, "'T4.nope'"},
      {{"--fork-server"}, "--fork-server needs a command"},
      {{"--strict"}, "give at least one program"},
      {{"--fork-server", "x", "--bogus"}, "unknown argument '--bogus'"},
      {{"--class", "d", "--fork-server", "x"}, "--class takes the programs"},
      {{"--fork-server", "x", "--json", "--tap"}, "choose one"},
      {{"--fork-server", "x", "--jobs", "2"}, "--jobs go with --class"},
  };
  for (const auto& [args, reason] : cases) {
    CliOptions options;
    const std::optional<std::string> error = Parse(args, &options);
    ASSERT_TRUE(error.has_value()) << args.back();
    EXPECT_NE(error->find(reason), std::string::npos) << *error;
  }
}

TEST(KitCommandLine, SelectorsTakeClausesIdsAndCommaLists) {
  // Claim: --only/--skip accept clauses and IDs, repeated or comma-separated; --flag=VALUE works.
  CliOptions options;
  ASSERT_FALSE(Parse({"--fork-server=./a.out {port}", "--only", "T4,G1.port-abc", "--only=T2",
                      "--skip", "T2.reset", "--timeout", "2.5", "--lecture"},
                     &options));
  EXPECT_EQ(options.run.only, (std::vector<std::string>{"T4", "G1.port-abc", "T2"}));
  EXPECT_EQ(options.run.skip, (std::vector<std::string>{"T2.reset"}));
  EXPECT_DOUBLE_EQ(options.run.timeout_seconds, 2.5);
  EXPECT_TRUE(options.run.lecture);
  EXPECT_EQ(options.programs[Role::kForkServer], "./a.out {port}");
}

}  // namespace
}  // namespace netref::conformance

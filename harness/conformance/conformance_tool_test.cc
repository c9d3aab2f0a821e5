// conformance_tool_test.cc: the netref-conform binary as a user runs it: whatever the programs
// under test do, the kit finishes its report and its exit status says what the report says.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness/conformance/kit_test_support.h"
#include "harness/conformance/network_isolation.h"
#include "harness/support/deadline.h"
#include "harness/support/subprocess.h"

namespace netref::conformance {
namespace {

using std::chrono::seconds;
using testing::Deadline;
using testing::Finished;

std::string Broken(const std::string& name) { return BrokenProgram(name); }

// A netref program by absolute path (NETREF_BIN_DIR may be relative; --class runs each
// submission in its own folder).
std::string NetrefProgram(const std::string& name) {
  char resolved[PATH_MAX];
  return ::realpath(testing::BinPath(name).c_str(), resolved) != nullptr ? resolved : name;
}

Finished Conform(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {testing::BinPath("netref-conform")};
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunToEnd(argv, Deadline::In(seconds(120)));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh directory under the test's temporary directory.
std::string TempDir(const std::string& name) {
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base != nullptr ? base : "/tmp") + "/netref-kit-" +
                    std::to_string(::getpid()) + "-" + name;
  testing::RunToEnd({"/bin/rm", "-rf", dir}, Deadline::In(seconds(10)));
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

// Runs python3 on `script` with `args`; its stdout.
std::string Python(const std::string& script, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/python3", "-c", script};
  argv.insert(argv.end(), args.begin(), args.end());
  const Finished run = testing::RunToEnd(argv, Deadline::In(seconds(30)));
  EXPECT_TRUE(run.status && run.status->ExitedWith(0)) << run.err;
  return run.out;
}

// The report is whole when its last line, the counts, was printed.
bool ReportIsComplete(const Finished& run) {
  return run.out.find(" n/a") != std::string::npos && run.out.find(" pass, ") != std::string::npos;
}

TEST(KitSigpipe, ClientThatClosesStdinGetsAWholeReport) {
  // Claim (issue 12, item 8): a chat client that closes its stdin and quits makes the kit's next
  // stdin write meet a pipe with no reader; the kit reports the failures and exits 1, never 141.
  const Finished run =
      Conform({"--chat-client", Broken("chat_client_one_exchange") + " {ip} {port}"});
  ASSERT_TRUE(run.status.has_value()) << "netref-conform did not finish";
  EXPECT_TRUE(run.status->ExitedWith(1)) << core::DescribeWaitStatus(*run.status) << "\n"
                                         << run.out;
  EXPECT_TRUE(ReportIsComplete(run)) << run.out;
}

TEST(KitSigpipe, ProgramThatExitsAtOnceGetsAWholeReportEveryTime) {
  // Claim (issue 12, item 8): `--chat-client 'exit 3'`, the issue's own reproduction, run 20
  // times: every run ends with exit 1 and a whole report (the race with the program's exit
  // went the kit's way in only some runs).
  for (int run_number = 0; run_number < 20; ++run_number) {
    const Finished run = Conform({"--chat-client", "exit 3"});
    ASSERT_TRUE(run.status.has_value()) << "run " << run_number << " did not finish";
    ASSERT_TRUE(run.status->ExitedWith(1))
        << "run " << run_number << ": " << core::DescribeWaitStatus(*run.status) << "\n"
        << run.out;
    ASSERT_TRUE(ReportIsComplete(run)) << "run " << run_number << ":\n" << run.out;
  }
}

// The checks these tests judge: few, so that a run is quick; every other check is a testcase
// too ("skipped"), as is every check of the roles not given ("n/a").
const std::vector<std::string> kFewChecks = {"--only", "T4,T5.skip-short-lines,G1.port-abc"};
std::vector<std::string> FewChecksOf(std::vector<std::string> args) {
  args.insert(args.end(), kFewChecks.begin(), kFewChecks.end());
  args.insert(args.end(), {"--fork-server", Broken("fork_never_reaps") + " {port}", "--test-client",
                           Broken("test_client_no_skip") + " {ip} {port}"});
  return args;
}

TEST(KitReports, JunitParsesAsXmlWithOneTestcasePerCheckAndTheJsonCounts) {
  // Claim: the JUnit file is XML (python3's parser reads it) with one testcase per check of
  // the JSON report, a testsuite per program, and failure/skipped/error counts that agree with
  // the JSON's counts: without --strict a deviation passes, with --strict it is a failure.
  const std::string count = R"(
import json, sys, xml.etree.ElementTree as ET
report = json.load(open(sys.argv[1])); root = ET.parse(sys.argv[2]).getroot()
cases = root.findall('./testsuite/testcase')
c = report['counts']
print(len(cases), len(report['results']), len(root.findall('./testsuite')),
      root.get('tests'), root.get('failures'), root.get('errors'), root.get('skipped'),
      sum(1 for t in cases if t.find('failure') is not None),
      sum(1 for t in cases if t.find('skipped') is not None),
      c['fail'], c['deviation'], c['n/a'] + c['skipped'], c['not run'],
      all(t.get('name').split(':')[0] == r['id'] for t, r in zip(cases, report['results'])))
)";
  const std::string dir = TempDir("junit");
  for (const bool strict : {false, true}) {
    SCOPED_TRACE(strict ? "--strict" : "without --strict");
    std::vector<std::string> args = {"--json", "--junit", dir + "/report.xml"};
    if (strict) args.push_back("--strict");
    const Finished run = Conform(FewChecksOf(args));
    ASSERT_TRUE(run.status.has_value());
    { std::ofstream(dir + "/report.json") << run.out; }
    std::istringstream numbers(Python(count, {dir + "/report.json", dir + "/report.xml"}));
    int cases, results, suites, tests, failures, errors, skipped, failure_cases, skipped_cases,
        fail, deviation, not_judged, not_run;
    std::string ids_agree;
    numbers >> cases >> results >> suites >> tests >> failures >> errors >> skipped >>
        failure_cases >> skipped_cases >> fail >> deviation >> not_judged >> not_run >> ids_agree;
    ASSERT_TRUE(numbers) << numbers.str();
    EXPECT_EQ(cases, results);
    EXPECT_EQ(tests, results);
    EXPECT_EQ(suites, 7);
    EXPECT_EQ(fail, 1);       // T5.skip-short-lines
    EXPECT_EQ(deviation, 1);  // T4.reaps: leaves zombies
    EXPECT_EQ(failures, fail + (strict ? deviation : 0));
    EXPECT_EQ(failure_cases, failures);
    EXPECT_EQ(skipped, not_judged);
    EXPECT_EQ(skipped_cases, skipped);
    EXPECT_EQ(errors, not_run);
    EXPECT_EQ(ids_agree, "True");
  }
}

TEST(KitReports, StrictVerdictIsTheSameInExitStatusJsonAndMarkdown) {
  // Claim: a run whose only finding is a deviation passes without --strict and fails with it,
  // and the exit status, the JSON's "passed" and the Markdown's result line all say so.
  const std::string dir = TempDir("strict");
  for (const bool strict : {false, true}) {
    SCOPED_TRACE(strict ? "--strict" : "without --strict");
    std::vector<std::string> args = {"--json",
                                     "--markdown",
                                     dir + "/report.md",
                                     "--only",
                                     "T4",
                                     "--fork-server",
                                     Broken("fork_never_reaps") + " {port}"};
    if (strict) args.push_back("--strict");
    const Finished run = Conform(args);
    ASSERT_TRUE(run.status.has_value());
    EXPECT_TRUE(run.status->ExitedWith(strict ? 1 : 0)) << core::DescribeWaitStatus(*run.status);
    EXPECT_NE(run.out.find(strict ? "\"passed\": false" : "\"passed\": true"), std::string::npos)
        << run.out;
    EXPECT_NE(run.out.find("\"deviation\": 1"), std::string::npos);
    const std::string markdown = ReadFile(dir + "/report.md");
    EXPECT_NE(markdown.find(strict ? "**Result: FAIL**" : "**Result: pass**"), std::string::npos)
        << markdown;
  }
}

TEST(KitReports, JsonCarriesTheKitVersionTheFlagsTheCountsAndTheScores) {
  // Claim: the JSON names the kit and its version, echoes every flag, and counts and scores
  // the verdicts: T4 has one check, judged, not passed (a deviation).
  const Finished run =
      Conform(FewChecksOf({"--json", "--lecture", "--skip", "G1.port-abc", "--timeout", "300"}));
  std::istringstream numbers(Python(R"(
import json, sys
r = json.loads(sys.argv[1])
f = r['flags']; t4 = r['scores']['T4']
print(r['kit'], r['version'], f['lecture'], f['strict'], f['isolate'], ','.join(f['only']),
      ','.join(f['skip']), f['timeout_seconds'], r['counts']['judged'], t4['judged'], t4['pass'],
      t4['deviation'], r['passed'], len(r['results']))
)",
                                    {run.out}));
  std::string kit, version, lecture, strict, isolate, only, skip, timeout, passed;
  int judged, t4_judged, t4_pass, t4_deviation, results;
  numbers >> kit >> version >> lecture >> strict >> isolate >> only >> skip >> timeout >> judged >>
      t4_judged >> t4_pass >> t4_deviation >> passed >> results;
  ASSERT_TRUE(numbers) << run.out;
  EXPECT_EQ(kit, "netref-conform");
  EXPECT_EQ(version, NETREF_VERSION);
  EXPECT_EQ(lecture + strict + isolate, "TrueFalseFalse");
  EXPECT_EQ(only, "T4,T5.skip-short-lines,G1.port-abc");
  EXPECT_EQ(skip, "G1.port-abc");
  EXPECT_EQ(timeout, "300");
  EXPECT_EQ(judged, 2);  // T4 and T5.skip-short-lines; G1.port-abc is skipped.
  EXPECT_EQ(t4_judged, 1);
  EXPECT_EQ(t4_pass, 0);
  EXPECT_EQ(t4_deviation, 1);
  EXPECT_EQ(passed, "False");  // T5.skip-short-lines failed.
  EXPECT_GT(results, 70);
}

TEST(KitReports, TapOnStdoutHasAPlanAndOneLinePerCheck) {
  // Claim: --tap prints TAP version 13: a plan 1..N and N numbered lines; the failure is
  // "not ok", the deviation a TODO, the checks not judged SKIPs.
  const Finished run = Conform(FewChecksOf({"--tap"}));
  std::istringstream lines(run.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "TAP version 13");
  std::getline(lines, line);
  ASSERT_EQ(line.rfind("1..", 0), 0u) << line;
  const int planned = std::atoi(line.c_str() + 3);
  const TapVerdicts verdicts = ParseTap(run.out);
  EXPECT_EQ(static_cast<int>(verdicts.size()), planned);
  EXPECT_EQ(verdicts.at({"test-client", "T5.skip-short-lines"}).verdict, Verdict::kFail);
  EXPECT_EQ(verdicts.at({"fork-server", "T4.reaps"}).deviation, "leaves zombies");
  EXPECT_EQ(verdicts.at({"fork-server", "T2.reset"}).verdict, Verdict::kSkipped);
  EXPECT_EQ(verdicts.at({"chat-server", "C6.truncation"}).verdict, Verdict::kNotApplicable);
}

TEST(KitSelection, ListNamesEveryCheckOnceUnderItsStableId) {
  // Claim: --list prints each (program, check ID) once; the IDs the docs name are there.
  const Finished run = Conform({"--list"});
  ASSERT_TRUE(run.status && run.status->ExitedWith(0));
  std::istringstream lines(run.out);
  std::string line;
  std::getline(lines, line);  // The header.
  std::set<std::pair<std::string, std::string>> seen;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string id, role;
    words >> id >> role;
    EXPECT_TRUE(seen.insert({role, id}).second) << "twice: " << role << " " << id;
  }
  for (const char* id : {"T5.skip-short-lines", "T4.reaps", "C6.truncation", "G1.port-12x",
                         "T3.no-duplicate-lines", "C7.parent-killed", "S1.lives"}) {
    EXPECT_NE(run.out.find(id), std::string::npos) << id;
  }
  EXPECT_GT(seen.size(), 70u);
}

TEST(KitSelection, UnknownSelectorIsAUsageError) {
  // Claim: --only with a name that is no clause and no ID exits 2 and says which.
  const Finished run = Conform({"--only", "T9", "--fork-server", "true"});
  ASSERT_TRUE(run.status.has_value());
  EXPECT_TRUE(run.status->ExitedWith(2));
  EXPECT_NE(run.err.find("'T9' is neither a clause nor a check ID"), std::string::npos) << run.err;
}

TEST(KitSelection, ChecksNotStartedBeforeTheTimeoutAreNotRunAndFailTheRun) {
  // Claim: with an overall --timeout shorter than the run, the checks that did not start in
  // time are "not run", the report says the timeout was reached, and the run exits 1 though
  // every check that ran passed.
  const Finished run = Conform({"--json", "--timeout", "0.3", "--lecture", "--fork-server",
                                LectureProgram("multiProcessTcpServer") + " {port}"});
  ASSERT_TRUE(run.status.has_value());
  EXPECT_TRUE(run.status->ExitedWith(1));
  std::istringstream counts(Python(R"(
import json, sys
r = json.loads(sys.argv[1]); c = r['counts']
print(r['timed_out'], c['fail'], c['not run'], c['pass'])
)",
                                   {run.out}));
  std::string timed_out;
  int fail = -1, not_run = -1, pass = -1;
  counts >> timed_out >> fail >> not_run >> pass;
  EXPECT_EQ(timed_out, "True");
  EXPECT_EQ(fail, 0);
  EXPECT_GT(not_run, 0);
  EXPECT_GT(pass, 0);
}

TEST(KitMissingProgram, ExitCode127IsReportedAsNotFound) {
  // Claim: a template whose program does not exist fails every check of its role as "command
  // not found", not as "accepts a bad port" or "no listening line".
  const Finished run = Conform({"--tap", "--fork-server", "/nonexistent/server {port}"});
  const TapVerdicts verdicts = ParseTap(run.out);
  int failed = 0;
  for (const auto& [key, verdict] : verdicts) {
    if (key.first != "fork-server") continue;
    EXPECT_EQ(verdict.verdict, Verdict::kFail) << key.second;
    EXPECT_NE(verdict.detail.find("command not found (the shell exited 127)"), std::string::npos)
        << key.second << ": " << verdict.detail;
    ++failed;
  }
  EXPECT_GT(failed, 10);
}

// A submission folder: `programs` (lecture name -> the file it links to), and a manifest.
void MakeSubmission(const std::string& dir,
                    const std::vector<std::pair<std::string, std::string>>& programs,
                    const std::string& manifest = "") {
  ::mkdir(dir.c_str(), 0755);
  for (const auto& [name, target] : programs) {
    ASSERT_EQ(::symlink(target.c_str(), (dir + "/" + name).c_str()), 0) << dir << "/" << name;
  }
  if (!manifest.empty()) std::ofstream(dir + "/netref-conform.txt") << manifest;
}

TEST(KitClass, ThreeSubmissionsGiveARowEachAndAColumnPerClause) {
  // Claim: --class grades each folder (netref's binaries through a manifest, the lecture-style
  // programs under their lecture names, and one with two bugs) and writes one table: netref's
  // and the lecture-style rows pass every clause; the broken row scores 0/1 on T4 (zombies, a
  // deviation) and 6/7 on T5 (a newline on the wire, a failure), and fails.
  const std::string dir = TempDir("class");
  MakeSubmission(dir + "/a-netref", {},
                 "# netref's own programs\n"
                 "fork-server = " +
                     testing::BinPath("tcp_echo_fork") +
                     " {port} --bind 127.0.0.1\n"
                     "test-client = " +
                     NetrefProgram("tcp_test_client") + " {ip} {port}\n");
  MakeSubmission(dir + "/b-lecture",
                 {{"multiProcessTcpServer", LectureProgram("multiProcessTcpServer")},
                  {"tcptestclnt", LectureProgram("tcptestclnt")}});
  MakeSubmission(dir + "/c-broken", {{"multiProcessTcpServer", Broken("fork_server_never_reaps")},
                                     {"tcptestclnt", Broken("test_client_keeps_newline")}});
  std::vector<std::string> args = IsolatedIfRoot();
  args.insert(args.end(), {"--class", dir, "--lecture", "--jobs", "3", "--csv", dir + "/class.csv",
                           "--markdown", dir + "/class.md"});
  const Finished run = Conform(args);
  ASSERT_TRUE(run.status.has_value());
  EXPECT_TRUE(run.status->ExitedWith(1)) << run.err;  // One submission fails.
  EXPECT_EQ(ReadFile(dir + "/class.csv"),
            "submission,result,score,G1,G4,T2,T3,T4,T5\n"
            "a-netref,pass,29/29,13/13,1/1,3/3,4/4,1/1,7/7\n"
            "b-lecture,pass,29/29,13/13,1/1,3/3,4/4,1/1,7/7\n"
            "c-broken,FAIL,27/29,13/13,1/1,3/3,4/4,0/1,6/7\n");
  const std::string markdown = ReadFile(dir + "/class.md");
  EXPECT_EQ(markdown, run.out);
  EXPECT_NE(markdown.find("| c-broken | FAIL | 27/29 | 13/13 | 1/1 | 3/3 | 4/4 | 0/1 | 6/7 |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("`T4.reaps` fork-server deviation: leaves zombies"), std::string::npos);
  EXPECT_NE(markdown.find("`T5.no-newline-on-wire` test-client FAIL"), std::string::npos);
}

// The network namespace of this process: "net:[4026531840]".
std::string OwnNetworkNamespace() {
  char link[64] = {0};
  return ::readlink("/proc/self/ns/net", link, sizeof link - 1) > 0 ? link : "";
}

// A chat client template that runs the lecture-style client only inside a network namespace
// other than `outer`, whose only interface is loopback, and that writes its namespace to
// `record` first: outside such a namespace it exits 99, and the check fails.
std::string OnlyWhenIsolated(const std::string& outer, const std::string& record) {
  return "ns=$(readlink /proc/self/ns/net); echo \"$ns\" >> " + record + "; test \"$ns\" != '" +
         outer + "' && test \"$(tail -n +3 /proc/self/net/dev | wc -l)\" = 1" +
         " && grep -q '^ *lo:' /proc/self/net/dev || exit 99; exec " +
         LectureProgram("ChatClient") + " {ip} {port}";
}

TEST(KitIsolation, IsolatedRunsSeeOnlyLoopbackAndClassJobsGetANamespaceEach) {
  // Claim: with --isolate the programs run in a network namespace that is not the test's and
  // has loopback only (they pass a check they fail without --isolate); with --class --jobs 2
  // --isolate the two submissions run in two different namespaces.
  if (::geteuid() != 0) GTEST_SKIP() << "--isolate needs root";
  const std::string outer = OwnNetworkNamespace();
  const std::string dir = TempDir("isolate");
  const std::string once = OnlyWhenIsolated(outer, dir + "/single.txt");
  const Finished plain = Conform({"--tap", "--only", "C7.chat", "--chat-client", once});
  EXPECT_TRUE(plain.status && plain.status->ExitedWith(1)) << plain.out;
  const Finished isolated =
      Conform({"--tap", "--isolate", "--only", "C7.chat", "--chat-client", once});
  ASSERT_TRUE(isolated.status.has_value());
  EXPECT_TRUE(isolated.status->ExitedWith(0)) << isolated.out << isolated.err;
  for (const char* name : {"one", "two"}) {
    MakeSubmission(dir + "/" + name, {},
                   "chat-client = " + OnlyWhenIsolated(outer, dir + "/" + name + "/ns.txt") + "\n");
  }
  const Finished graded =
      Conform({"--class", dir, "--isolate", "--jobs", "2", "--only", "C7.chat"});
  ASSERT_TRUE(graded.status.has_value());
  EXPECT_TRUE(graded.status->ExitedWith(0)) << graded.out << graded.err;
  std::string first, second;
  std::getline(std::istringstream(ReadFile(dir + "/one/ns.txt")) >> std::ws, first);
  std::getline(std::istringstream(ReadFile(dir + "/two/ns.txt")) >> std::ws, second);
  EXPECT_NE(first, outer);
  EXPECT_NE(second, outer);
  EXPECT_NE(first, second);
}

}  // namespace
}  // namespace netref::conformance

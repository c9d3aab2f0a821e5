// conformance_broken_test.cc: the conformance kit judges programs other than netref's fairly.
// A lecture-style correct program passes every check in --lecture mode; each program with one
// bug put back fails (or gets the named deviation on) exactly the check that judges that bug
// and passes every other; the lecture's own programs, exactly as written, get named deviations
// only. A kit that reported everything as passing, or everything as failing, fails here.
//
// Every case is one `netref-conform --tap` run; they run several at a time (the kit mostly
// waits on quiet periods), and each is then checked row by row.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "harness/conformance/kit_test_support.h"

namespace netref::conformance {
namespace {

// The checks a case expects not to pass, by ID: the verdict and (for a deviation) its name.
using Expected = std::map<std::string, std::pair<Verdict, std::string>>;

struct Case {
  std::string name;
  std::vector<std::pair<Role, std::string>> programs;
  bool lecture;
  Expected expected;  // Every other check of these programs must pass.
};

Expected Deviations(const std::vector<std::string>& ids, const std::string& name) {
  Expected expected;
  for (const std::string& id : ids) expected[id] = {Verdict::kDeviation, name};
  return expected;
}

Expected Merge(std::vector<Expected> parts) {
  Expected all;
  for (const Expected& part : parts) all.insert(part.begin(), part.end());
  return all;
}

const std::vector<std::string> kBadPorts = {"G1.port-abc", "G1.port-negative", "G1.port-12x",
                                            "G1.port-65536", "G1.port-70000"};

// What every lecture-exact server gets: atoi ports, no `listening on`, death by SIGTERM.
Expected LectureServer(const std::string& usage_deviation) {
  return Merge({Deviations(kBadPorts, "accepts a bad port"),
                {{"G1.no-arguments", {Verdict::kDeviation, usage_deviation}},
                 {"G2.listening-line", {Verdict::kDeviation, "no `listening on` line"}},
                 {"G5.sigterm", {Verdict::kDeviation, "no clean SIGTERM shutdown"}}}});
}

std::vector<Case> Cases() {
  const Role iterative = Role::kIterativeServer, fork = Role::kForkServer,
             client = Role::kTestClient, chat = Role::kChatServer, chatter = Role::kChatClient;
  const auto broken = [](const std::string& name, const std::string& args = " {port}") {
    return BrokenProgram(name) + args;
  };
  const std::string client_args = " {ip} {port}";
  std::vector<Case> cases;
  // A submission written the lecture's way, but right: every check passes in --lecture mode.
  cases.push_back({"lecture-style correct programs",
                   {{iterative, LectureProgram("tcpfirstsrv") + " {port}"},
                    {fork, LectureProgram("multiProcessTcpServer") + " {port}"},
                    {client, LectureProgram("tcptestclnt") + client_args},
                    {chat, LectureProgram("ChatServer") + " {port}"},
                    {chatter, LectureProgram("ChatClient") + client_args},
                    {Role::kLivesDemo, LectureProgram("signalbasic")},
                    {Role::kIgnoreDemo, LectureProgram("signalsecond")}},
                   true,
                   {}});
  // One bug put back into one lecture-style program: exactly one check catches it.
  const std::vector<std::tuple<std::string, Role, std::string, Verdict, std::string>> one_bug = {
      {"iterative_server_sigpipe", iterative, "T2.reset", Verdict::kDeviation,
       "dies of SIGPIPE on a reset"},
      {"iterative_server_no_reuseaddr", iterative, "T1.restart-in-time-wait", Verdict::kDeviation,
       "restart fails in TIME_WAIT"},
      {"fork_server_strlen_echo", fork, "T2.echo-nul", Verdict::kDeviation,
       "truncates echo at NUL byte"},
      {"fork_server_never_reaps", fork, "T4.reaps", Verdict::kDeviation, "leaves zombies"},
      {"fork_server_stdout_buffered", fork, "T3.no-duplicate-lines", Verdict::kDeviation,
       "stdout buffered across fork"},
      {"fork_server_ignores_bind_failure", fork, "G1.port-in-use", Verdict::kFail, ""},
      {"test_client_keeps_newline", client, "T5.no-newline-on-wire", Verdict::kFail, ""},
      {"test_client_echoes_empty_lines", client, "T5.skip-short-lines", Verdict::kFail, ""},
      {"chat_server_wrong_prefix", chat, "C4.prefix-format", Verdict::kFail, ""},
      {"chat_server_silent_truncation", chat, "C6.truncation", Verdict::kDeviation,
       "truncates silently"},
      {"chat_client_orphans", chatter, "C7.parent-killed", Verdict::kDeviation,
       "orphans its child when killed"},
  };
  for (const auto& [name, role, id, verdict, deviation] : one_bug) {
    const bool is_client = role == client || role == chatter;
    cases.push_back({name,
                     {{role, broken(name, is_client ? client_args : " {port}")}},
                     true,
                     {{id, {verdict, deviation}}}});
  }
  // atoi with a range check: 65536, 70000 and -1 are refused, abc and 12x are not.
  cases.push_back({"fork_server_atoi_port",
                   {{fork, broken("fork_server_atoi_port")}},
                   true,
                   Deviations({"G1.port-abc", "G1.port-12x"}, "accepts a bad port")});
  // The lecture's programs exactly as written (normal mode): named deviations only.
  cases.push_back(
      {"lecture_fork_echo",
       {{fork, broken("lecture_fork_echo")}},
       false,
       Merge({LectureServer("no usage exit 2"),
              {{"T2.echo-nul", {Verdict::kDeviation, "truncates echo at NUL byte"}},
               {"T3.restart-in-time-wait", {Verdict::kDeviation, "restart fails in TIME_WAIT"}},
               {"T3.no-duplicate-lines", {Verdict::kDeviation, "stdout buffered across fork"}},
               {"T4.reaps", {Verdict::kDeviation, "leaves zombies"}}}})});
  cases.push_back({"lecture_iterative_echo",
                   {{iterative, broken("lecture_iterative_echo")}},
                   false,
                   Merge({LectureServer("no usage exit 2"),
                          {{"T2.echo-nul", {Verdict::kDeviation, "truncates echo at NUL byte"}},
                           {"T2.reset", {Verdict::kDeviation, "dies of SIGPIPE on a reset"}},
                           {"T1.restart-in-time-wait",
                            {Verdict::kDeviation, "restart fails in TIME_WAIT"}}}})});
  cases.push_back({"lecture_chat_server",
                   {{chat, broken("lecture_chat_server")}},
                   false,
                   Merge({LectureServer("usage exits 0"),
                          {{"C6.truncation", {Verdict::kDeviation, "truncates silently"}}}})});
  cases.push_back(
      {"lecture_chat_client",
       {{chatter, broken("lecture_chat_client", client_args)}},
       false,
       Merge({Deviations(kBadPorts, "accepts a bad port"),
              Deviations({"C7.eof", "C7.end-without-newline"}, "fgets loop at stdin EOF"),
              {{"G1.no-arguments", {Verdict::kDeviation, "crashes without arguments"}},
               {"C7.parent-killed", {Verdict::kDeviation, "orphans its child when killed"}}}})});
  cases.push_back(
      {"lecture_test_client",
       {{client, broken("lecture_test_client", client_args)}},
       false,
       Merge({Deviations(kBadPorts, "accepts a bad port"),
              {{"G1.no-arguments", {Verdict::kDeviation, "no usage exit 2"}},
               {"T5.eof", {Verdict::kDeviation, "loops at stdin EOF"}},
               {"T5.end-without-newline",
                {Verdict::kDeviation, "drops the last byte of an unterminated line"}},
               {"T5.long-line", {Verdict::kDeviation, "cuts lines over 8190 bytes"}}}})});
  cases.push_back({"lecture signal demos",
                   {{Role::kLivesDemo, broken("lecture_sig_lives", "")},
                    {Role::kIgnoreDemo, broken("lecture_sig_ignore", "")}},
                   false,
                   {}});
  // netref-style programs (with `listening on` and a clean SIGTERM) that break one clause.
  cases.push_back({"fork_never_reaps",
                   {{fork, broken("fork_never_reaps")}},
                   false,
                   {{"T4.reaps", {Verdict::kDeviation, "leaves zombies"}}}});
  // Its children exit 300 ms after their client: G5 must wait for that, not call them leftovers.
  cases.push_back({"fork_never_reaps_slow_exit",
                   {{fork, broken("fork_never_reaps_slow_exit")}},
                   false,
                   {{"T4.reaps", {Verdict::kDeviation, "leaves zombies"}}}});
  cases.push_back({"chat_relay_to_sender",
                   {{chat, broken("chat_relay_to_sender")}},
                   false,
                   {{"C4.others-in-order", {Verdict::kFail, ""}},
                    {"C4.binary-payloads", {Verdict::kFail, ""}}}});
  cases.push_back({"chat_capacity_11",
                   {{chat, broken("chat_capacity_11")}},
                   false,
                   {{"C2.capacity", {Verdict::kFail, ""}}}});
  cases.push_back({"test_client_no_skip",
                   {{client, broken("test_client_no_skip", client_args)}},
                   false,
                   {{"T5.skip-short-lines", {Verdict::kFail, ""}}}});
  return cases;
}

TEST(ConformanceKitJudges, EachProgramGetsExactlyTheVerdictsOfItsBugs) {
  // Claim: every case's programs get the expected verdict on every one of their checks, and
  // the checks of the roles not given are n/a.
  const std::vector<Case> cases = Cases();
  std::vector<std::vector<std::string>> runs;
  for (const Case& c : cases) {
    std::vector<std::string> args = IsolatedIfRoot();
    args.push_back("--tap");
    if (c.lecture) args.push_back("--lecture");
    for (const auto& [role, command] : c.programs) {
      args.push_back("--" + std::string(RoleName(role)));
      args.push_back(command);
    }
    runs.push_back(args);
  }
  const std::vector<testing::Finished> finished = RunConform(runs, 6);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(c.name);
    ASSERT_TRUE(finished[i].status.has_value()) << "netref-conform did not finish";
    const TapVerdicts verdicts = ParseTap(finished[i].out);
    ASSERT_FALSE(verdicts.empty()) << finished[i].out << finished[i].err;
    std::map<std::string, int> matched;
    for (const auto& [key, got] : verdicts) {
      const auto& [role_name, id] = key;
      bool given = false;
      for (const auto& program : c.programs) given |= RoleName(program.first) == role_name;
      Verdict want = given ? Verdict::kPass : Verdict::kNotApplicable;
      std::string want_name;
      if (given && c.expected.count(id) > 0) {
        std::tie(want, want_name) = c.expected.at(id);
        ++matched[id];
      }
      const bool extension = id.rfind("G2.", 0) == 0 || id.rfind("G5.", 0) == 0;
      if (given && c.lecture && extension) want = Verdict::kNotApplicable;
      EXPECT_EQ(VerdictName(got.verdict), VerdictName(want))
          << role_name << " " << id << " " << got.deviation << "\n"
          << got.detail;
      EXPECT_EQ(got.deviation, want_name) << role_name << " " << id;
    }
    for (const auto& [id, verdict] : c.expected) EXPECT_GE(matched[id], 1) << id << " never ran";
    const bool should_pass = std::all_of(c.expected.begin(), c.expected.end(), [](const auto& e) {
      return e.second.first != Verdict::kFail;
    });
    EXPECT_EQ(finished[i].status->ExitedWith(0), should_pass)
        << core::DescribeWaitStatus(*finished[i].status);
  }
}

}  // namespace
}  // namespace netref::conformance

// conformance_broken_test.cc: the conformance kit catches each deliberately broken program in
// broken/ on exactly the clause it breaks (fail, or a named deviation for the lecture's own
// bugs) and passes it on every other clause. A kit that reported everything as passing, or
// everything as failing, fails here.
#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "harness/conformance/kit.h"

namespace netref::conformance {
namespace {

std::string Broken(const std::string& name) { return std::string(NETREF_BROKEN_DIR) + "/" + name; }

// Runs the kit with `role` = `command` only, and checks each applicable row: the rows named in
// `broken` (by "CLAUSE title prefix") have that verdict (and deviation name), all others pass.
void ExpectExactly(Role role, const std::string& command,
                   const std::map<std::string, std::pair<Verdict, std::string>>& broken) {
  Programs programs{};
  programs.Set(role, command);
  std::map<std::string, int> matched;
  int applicable = 0;
  for (const Result& r : RunAll(programs)) {
    if (r.role != role) {
      EXPECT_EQ(r.outcome.verdict, Verdict::kNotApplicable) << r.clause << " " << r.title;
      continue;
    }
    ++applicable;
    Verdict want = Verdict::kPass;
    std::string want_name;
    for (const auto& [key, verdict] : broken) {
      if ((r.clause + " " + r.title).rfind(key, 0) == 0) {
        want = verdict.first;
        want_name = verdict.second;
        ++matched[key];
      }
    }
    EXPECT_EQ(r.outcome.verdict, want)
        << command << ": " << r.clause << " (" << r.title << "): got "
        << VerdictName(r.outcome.verdict) << " " << r.outcome.deviation << "; expected "
        << r.outcome.expected << "; observed " << r.outcome.observed;
    EXPECT_EQ(r.outcome.deviation, want_name) << r.clause << " " << r.title;
  }
  EXPECT_GE(applicable, 1);
  for (const auto& entry : broken) EXPECT_EQ(matched[entry.first], 1) << entry.first;
}

TEST(ConformanceKitBroken, LectureForkServerGetsNamedDeviationsOnly) {
  // The lecture's fork server as written: its known bugs are named deviations (T2 NUL, T4
  // zombies, G1 exit 1 and atoi, G2 no line, G5 killed), every other check passes.
  ExpectExactly(Role::kForkServer, Broken("lecture_fork_echo") + " {port}",
                {{"G1 no arguments", {Verdict::kDeviation, "no usage exit 2"}},
                 {"G1 port 70000", {Verdict::kDeviation, "accepts a bad port"}},
                 {"G2", {Verdict::kDeviation, "no `listening on` line"}},
                 {"G5", {Verdict::kDeviation, "no clean SIGTERM shutdown"}},
                 {"T2 binary-safe", {Verdict::kDeviation, "truncates echo at NUL byte"}},
                 {"T4", {Verdict::kDeviation, "leaves zombies"}}});
}

TEST(ConformanceKitBroken, ForkServerThatNeverReapsBreaksOnlyT4) {
  // A fork server right in all but reaping is reported on T4 alone.
  ExpectExactly(Role::kForkServer, Broken("fork_never_reaps") + " {port}",
                {{"T4", {Verdict::kDeviation, "leaves zombies"}}});
}

TEST(ConformanceKitBroken, ChatServerThatRelaysToSenderBreaksOnlyC4) {
  // Relaying back to the sender fails both C4 relay checks and nothing else (C1, C5 and C6
  // judge only the other client's inbox); like the lecture, it truncates without a log line,
  // which is C6's named deviation.
  ExpectExactly(Role::kChatServer, Broken("chat_relay_to_sender") + " {port}",
                {{"C4 relays to every", {Verdict::kFail, ""}},
                 {"C4 relays an empty", {Verdict::kFail, ""}},
                 {"C6", {Verdict::kDeviation, "truncates silently"}}});
}

TEST(ConformanceKitBroken, ChatServerWithCapacityElevenBreaksOnlyC2) {
  // An off-by-one client list (11) fails C2 and nothing else; its lecture-style silent
  // truncation is C6's named deviation.
  ExpectExactly(Role::kChatServer, Broken("chat_capacity_11") + " {port}",
                {{"C2", {Verdict::kFail, ""}},
                 {"C6", {Verdict::kDeviation, "truncates silently"}}});
}

TEST(ConformanceKitBroken, TestClientThatSendsShortLinesBreaksOnlyT5Lines) {
  // A test client that does not skip short lines fails the T5 line check and nothing else.
  ExpectExactly(Role::kTestClient, Broken("test_client_no_skip") + " {ip} {port}",
                {{"T5 skips short lines", {Verdict::kFail, ""}}});
}

TEST(ConformanceKitBroken, LectureSignalDemosPassS1AndS2) {
  // The lecture's signal demos as written (printf in a handler, no restore) behave as S1 and S2
  // say on the outside, so the kit passes them: a fair report, not a wall of red.
  ExpectExactly(Role::kLivesDemo, Broken("lecture_sig_lives"), {});
  ExpectExactly(Role::kIgnoreDemo, Broken("lecture_sig_ignore"), {});
}

}  // namespace
}  // namespace netref::conformance

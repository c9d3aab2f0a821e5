// scenario.h: a check: one clause, judged against one role's program, under a stable ID.
//
// An ID is the clause, a dot and a name that does not change between kit versions
// (`T5.skip-short-lines`), so --only/--skip, JUnit and autograders can rely on it. The general
// checks (G1, G2, G5) carry the same ID for every role they apply to; (role, ID) is unique.
// Every wait inside `run` has its own deadline (Deadline::In, stretched by NETREF_TIME_SCALE),
// so a check ends within the sum of its steps' deadlines whatever the program does; the run
// then ends what it started.
#ifndef NETREF_HARNESS_CONFORMANCE_SCENARIO_H_
#define NETREF_HARNESS_CONFORMANCE_SCENARIO_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/conformance/kit.h"

namespace netref::conformance {

struct Scenario {
  std::string id;  // "T5.skip-short-lines"
  Role role;
  std::string title;  // "lines shorter than 2 bytes are skipped"
  std::function<Outcome(Kit&)> run;
  // Judges a netref extension the lecture's programs do not have (G2's `listening on` line,
  // G5's clean shutdown): not judged in --lecture mode.
  bool extension = false;
};

// "T5" for "T5.skip-short-lines".
std::string ClauseOf(std::string_view id);
// The clauses in the order reports show them (G, T, C, S; each by number).
const std::vector<std::string>& ClauseOrder();

// Every check, grouped by role in the order of kAllRoles.
const std::vector<Scenario>& AllScenarios();
void AddGeneralScenarios(std::vector<Scenario>& out);
void AddEchoServerScenarios(std::vector<Scenario>& out);
void AddTestClientScenarios(std::vector<Scenario>& out);
void AddChatServerScenarios(std::vector<Scenario>& out);
void AddChatClientScenarios(std::vector<Scenario>& out);
void AddSignalScenarios(std::vector<Scenario>& out);
void AddShutdownScenarios(std::vector<Scenario>& out);  // G5: last in each server's group.

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_SCENARIO_H_

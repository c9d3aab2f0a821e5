// scenario.cc: the registry of every check, in report order, and the clause order.
#include "harness/conformance/scenario.h"

#include <algorithm>

namespace netref::conformance {

std::string ClauseOf(std::string_view id) { return std::string(id.substr(0, id.find('.'))); }

const std::vector<std::string>& ClauseOrder() {
  static const std::vector<std::string> order = {"G1", "G2", "G4", "G5", "T1", "T2",
                                                 "T3", "T4", "T5", "C1", "C2", "C3",
                                                 "C4", "C5", "C6", "C7", "S1", "S2"};
  return order;
}

const std::vector<Scenario>& AllScenarios() {
  static const std::vector<Scenario> scenarios = [] {
    std::vector<Scenario> all;
    AddGeneralScenarios(all);
    AddEchoServerScenarios(all);
    AddTestClientScenarios(all);
    AddChatServerScenarios(all);
    AddChatClientScenarios(all);
    AddSignalScenarios(all);
    AddShutdownScenarios(all);
    // Grouped by program, in the order of kAllRoles; within a program, as added.
    std::stable_sort(all.begin(), all.end(), [](const Scenario& a, const Scenario& b) {
      return RoleIndex(a.role) < RoleIndex(b.role);
    });
    return all;
  }();
  return scenarios;
}

}  // namespace netref::conformance

// required_cases.h: properties that must reach their interesting cases, not merely report them.
//
// RC_CLASSIFY only prints how often a case came up: a property whose edge case is generated in
// 0% of its runs still passes, and proves nothing about that edge. NETREF_PROP_REQUIRING defines
// a property as RC_GTEST_PROP does, then fails the test if a labelled case (an RC_CLASSIFY or
// RC_TAG label) was reached in less than its minimum share of the successful runs.
//
//   const std::vector<RequiredCase> kEdges = {{"list full", 0.10}, {"empty payload", 0.05}};
//   NETREF_PROP_REQUIRING(C2ClientList, FullListDropsNewSenders, kEdges, ()) { ... }
//
// A minimum share is about a fifth of what the generator reaches, so that chance alone trips it
// in fewer than one run in a million (100 runs: a case reached 20% of the time is seen fewer
// than 4 times with probability under 1e-6), while a generator that stops reaching the case
// (a narrowed range, a changed weight) fails at once. A case worth requiring is generated in at
// least a fifth of the runs. A run that reproduces one counterexample
// (RC_PARAMS="reproduce=...") checks no share.
#ifndef NETREF_HARNESS_PROPERTY_REQUIRED_CASES_H_
#define NETREF_HARNESS_PROPERTY_REQUIRED_CASES_H_

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace netref::property {

struct RequiredCase {
  const char* label;  // As given to RC_CLASSIFY or RC_TAG.
  double min_share;   // Of the successful runs, 0..1.
};

template <typename Testable>
void CheckRequiringCases(Testable&& testable, const std::vector<RequiredCase>& required) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + std::string(info->name());
  metadata.description = info->name();
  const rc::detail::TestResult result =
      rc::detail::checkTestable(std::forward<Testable>(testable), metadata);
  std::ostringstream message;
  rc::detail::printResultMessage(result, message);
  if (!result.template is<rc::detail::SuccessResult>()) {
    FAIL() << message.str() << std::endl;
  }
  std::cout << message.str() << std::endl;
  if (rc::detail::configuration().reproduce.count(metadata.id) != 0) return;
  const rc::detail::SuccessResult& success = result.template get<rc::detail::SuccessResult>();
  for (const RequiredCase& wanted : required) {
    // rapidcheck keeps each label as rc::toString shows it: a string literal in quotes.
    const std::string shown = rc::toString(wanted.label);
    int reached = 0;
    for (const auto& [tags, count] : success.distribution) {
      if (std::find_if(tags.begin(), tags.end(), [&](const std::string& tag) {
            return tag == wanted.label || tag == shown;
          }) != tags.end()) {
        reached += count;
      }
    }
    const double share =
        success.numSuccess > 0 ? static_cast<double>(reached) / success.numSuccess : 0.0;
    EXPECT_GE(share, wanted.min_share)
        << "the case \"" << wanted.label << "\" was reached in " << reached << " of "
        << success.numSuccess << " runs; this property needs it in at least "
        << wanted.min_share * 100 << "% of them to prove anything about it";
  }
}

}  // namespace netref::property

// A property (as RC_GTEST_PROP) whose runs must reach each case of `Required` (a
// std::vector<RequiredCase> in scope) in at least its minimum share.
#define NETREF_PROP_REQUIRING(Suite, Name, Required, ArgList)                            \
  void netrefPropImpl_##Suite##_##Name ArgList;                                          \
  TEST(Suite, Name) {                                                                    \
    ::netref::property::CheckRequiringCases(&netrefPropImpl_##Suite##_##Name, Required); \
  }                                                                                      \
  void netrefPropImpl_##Suite##_##Name ArgList

#endif  // NETREF_HARNESS_PROPERTY_REQUIRED_CASES_H_

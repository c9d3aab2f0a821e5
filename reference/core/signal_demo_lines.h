// signal_demo_lines.h: the console lines of the signal and process demos (S1, S2, S4), word for
// word, so the demos print them and the tests assert them from one place.
//
// The lecture's printf formats end in " \n": the space before the newline is kept, as the chat
// server keeps it in `nClient: N ` (the console is what the lecture's program prints).
// Must not: print.
#ifndef NETREF_REFERENCE_CORE_SIGNAL_DEMO_LINES_H_
#define NETREF_REFERENCE_CORE_SIGNAL_DEMO_LINES_H_

#include <string>

namespace netref::core {

// S1: the lives the lecture's signalbasic.c starts with (`int global_count = 10`).
inline constexpr int kLives = 10;

// S1: signalbasic.c's `printf("Received SIGINT... %d Lives Left \n", global_count--)`.
inline std::string LivesLine(int lives_left) {
  return "Received SIGINT... " + std::to_string(lives_left) + " Lives Left ";
}

// S2: the countdown's start (`int i = 5`) in signalsecond.c.
inline constexpr int kCountdownFrom = 5;

// S2: signalsecond.c's `printf("%d: sleep and awake \n", i--)`.
inline std::string CountdownLine(int n) { return std::to_string(n) + ": sleep and awake "; }

// S2: signalsecond.c ends with `return 1`.
inline constexpr int kIgnoreDemoExitStatus = 1;

// S4: the value the fork demo's parent sets before fork, and what the child changes it to.
inline constexpr int kForkDemoValueBefore = 10;
inline constexpr int kForkDemoValueInChild = 20;
// S4: the child's exit code, not 0, so the decoded status visibly comes from the child.
inline constexpr int kForkDemoChildExitCode = 3;

inline std::string ForkDemoBeforeLine(int value) {
  return "parent: value = " + std::to_string(value) + " before fork";
}
inline std::string ForkDemoChildLine(int value) {
  return "child: changed value to " + std::to_string(value);
}
// `described` is DescribeWaitStatus's text, e.g. "exited with status 3".
inline std::string ForkDemoWaitLine(long child_pid, const std::string& described) {
  return "parent: wait: child " + std::to_string(child_pid) + " " + described;
}
inline std::string ForkDemoAfterLine(int value) {
  return "parent: value = " + std::to_string(value) + " after the child changed its copy";
}

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_SIGNAL_DEMO_LINES_H_

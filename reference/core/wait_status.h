// wait_status.h: decoding what wait()/waitpid() store in `status` (S3).
//
// The lecture decodes with WIFEXITED, WEXITSTATUS and WIFSIGNALED. Those are macros from
// <sys/wait.h>, which the pure core may not include, so this decodes Linux's documented
// encoding itself; harness tests check it against the kernel with real children, for every
// exit code and every catchable fatal signal. Every reaper, test and log line that reports how a
// child ended goes through here. Must not: call wait or include POSIX headers.
#ifndef NETREF_REFERENCE_CORE_WAIT_STATUS_H_
#define NETREF_REFERENCE_CORE_WAIT_STATUS_H_

#include <string>

namespace netref::core {

struct WaitStatus {
  enum class Kind { kExited, kSignaled, kStopped, kContinued };
  Kind kind = Kind::kExited;
  int exit_code = 0;         // kExited: WEXITSTATUS, 0..255.
  int signal = 0;            // kSignaled: WTERMSIG; kStopped: WSTOPSIG.
  bool core_dumped = false;  // kSignaled: WCOREDUMP.

  bool exited() const { return kind == Kind::kExited; }
  bool signaled() const { return kind == Kind::kSignaled; }
  bool ExitedWith(int code) const { return exited() && exit_code == code; }
  bool KilledBy(int sig) const { return signaled() && signal == sig; }
};

// Decodes a raw status as Linux stores it.
WaitStatus DecodeWaitStatus(int raw);

// "SIGTERM" for 15 (Linux numbering), "SIGRTMIN+3", or "signal 99".
std::string SignalName(int signal);

// "exited with status 3", "killed by SIGTERM", "killed by SIGSEGV (core dumped)",
// "stopped by SIGSTOP", "continued".
std::string DescribeWaitStatus(const WaitStatus& status);

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_WAIT_STATUS_H_

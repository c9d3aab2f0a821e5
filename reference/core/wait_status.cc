// wait_status.cc: Linux's wait-status encoding, spelled out.
//   exited:    (code << 8), low 7 bits zero
//   signaled:  signal in the low 7 bits (not 0, not 0x7f), bit 0x80 set if a core was dumped
//   stopped:   (signal << 8) | 0x7f
//   continued: 0xffff
#include "reference/core/wait_status.h"

namespace netref::core {

WaitStatus DecodeWaitStatus(int raw) {
  const unsigned bits = static_cast<unsigned>(raw) & 0xffffu;
  WaitStatus status;
  if (bits == 0xffffu) {
    status.kind = WaitStatus::Kind::kContinued;
  } else if ((bits & 0x7fu) == 0) {
    status.kind = WaitStatus::Kind::kExited;
    status.exit_code = static_cast<int>((bits >> 8) & 0xffu);
  } else if ((bits & 0xffu) == 0x7fu) {
    status.kind = WaitStatus::Kind::kStopped;
    status.signal = static_cast<int>((bits >> 8) & 0xffu);
  } else {
    status.kind = WaitStatus::Kind::kSignaled;
    status.signal = static_cast<int>(bits & 0x7fu);
    status.core_dumped = (bits & 0x80u) != 0;
  }
  return status;
}

std::string SignalName(int signal) {
  static const char* const kNames[] = {
      nullptr,   "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT",
      "SIGBUS",  "SIGFPE",  "SIGKILL",   "SIGUSR1", "SIGSEGV",   "SIGUSR2", "SIGPIPE",
      "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",
      "SIGTTIN", "SIGTTOU", "SIGURG",    "SIGXCPU", "SIGXFSZ",   "SIGVTALRM", "SIGPROF",
      "SIGWINCH", "SIGIO",  "SIGPWR",    "SIGSYS"};
  constexpr int kRtMin = 34, kRtMax = 64;  // glibc's SIGRTMIN (the kernel's 32, 33 are NPTL's).
  if (signal >= 1 && signal <= 31) return kNames[signal];
  if (signal >= kRtMin && signal <= kRtMax) return "SIGRTMIN+" + std::to_string(signal - kRtMin);
  return "signal " + std::to_string(signal);
}

std::string DescribeWaitStatus(const WaitStatus& status) {
  switch (status.kind) {
    case WaitStatus::Kind::kExited:
      return "exited with status " + std::to_string(status.exit_code);
    case WaitStatus::Kind::kSignaled:
      return "killed by " + SignalName(status.signal) +
             (status.core_dumped ? " (core dumped)" : "");
    case WaitStatus::Kind::kStopped:
      return "stopped by " + SignalName(status.signal);
    case WaitStatus::Kind::kContinued:
      return "continued";
  }
  // Unreachable: the switch names every Kind (gcc's -Wreturn-type wants a return anyway).
  return "unknown status";  // GCOVR_EXCL_LINE
}

}  // namespace netref::core

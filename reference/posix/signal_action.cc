// signal_action.cc
#include "reference/posix/signal_action.h"

#include <signal.h>

#include <cerrno>

#include "reference/posix/errno_status.h"

namespace netref::posix {

absl::Status SetSignalAction(int signal, void (*handler)(int), int flags) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigfillset(&action.sa_mask);
  action.sa_flags = flags;
  if (::sigaction(signal, &action, nullptr) != 0) return ErrnoError(errno, "sigaction");
  return absl::OkStatus();
}

absl::Status SetDefaultAction(int signal) { return SetSignalAction(signal, SIG_DFL, 0); }

}  // namespace netref::posix

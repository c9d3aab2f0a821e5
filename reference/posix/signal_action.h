// signal_action.h: the one sigaction wrapper.
//
// Every handler runs with every other signal blocked (sa_mask full), so handlers never nest and
// may share plain state. Callers pass SA_* flags and say where they choose them why they want
// SA_RESTART or not (signal_bridge.cc). sig_ignore calls sigaction itself, because keeping and
// restoring the old action is what that lecture program teaches.
#ifndef NETREF_REFERENCE_POSIX_SIGNAL_ACTION_H_
#define NETREF_REFERENCE_POSIX_SIGNAL_ACTION_H_

#include "absl/status/status.h"

namespace netref::posix {

absl::Status SetSignalAction(int signal, void (*handler)(int), int flags);

// Restores the default action of `signal`. Async-signal-safe (sigaction is), so a handler may
// call it: S1's handler does at the last life.
absl::Status SetDefaultAction(int signal);

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_SIGNAL_ACTION_H_

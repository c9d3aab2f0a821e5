// sigpipe_policy.cc
#include "reference/posix/sigpipe_policy.h"

#include <signal.h>

namespace netref::posix {

void IgnoreSigpipe() { ::signal(SIGPIPE, SIG_IGN); }

}  // namespace netref::posix

// eintr.h: the one home of the EINTR policy.
//
// A signal is never an error in netref: every syscall that can fail with EINTR goes through
// RetryOnEintr, which calls it again. Work that must stop when a signal comes does not rely on
// EINTR, which a signal landing just before the call would miss: the handlers make a file
// descriptor readable (signal_bridge.h), and every wait that must give up on a stop polls it.
// The waits themselves (poll, epoll_wait in server_loop.cc) are the one exception: there EINTR
// means "look at the signals now", and they return instead of retrying.
#ifndef NETREF_REFERENCE_POSIX_EINTR_H_
#define NETREF_REFERENCE_POSIX_EINTR_H_

#include <cerrno>

namespace netref::posix {

// Calls `call` until it does not fail with EINTR.
template <typename Call>
auto RetryOnEintr(Call call) -> decltype(call()) {
  decltype(call()) result;
  do {
    result = call();
  } while (result == -1 && errno == EINTR);
  return result;
}

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_EINTR_H_

// echo_loop.h: T2's echo session on a connected socket, carried out for the core's EchoSession.
//
// Used by the iterative, fork-per-client and pre-forked servers alike. It reads at most 8191
// bytes at a time (G4), writes back every byte (completing short writes), prints the core's
// console lines, and returns when the peer closes, fails, or `cancel_fd` becomes readable.
#ifndef NETREF_REFERENCE_POSIX_ECHO_LOOP_H_
#define NETREF_REFERENCE_POSIX_ECHO_LOOP_H_

#include "reference/core/ipv4.h"
#include "reference/posix/console.h"

namespace netref::posix {

enum class SessionEnd {
  kPeerClosed,  // EOF: `Client(PORT): is disconnected`.
  kPeerFailed,  // A reset or a write to a vanished peer: logged, the session ends, not the server.
  kCancelled,   // cancel_fd became readable (a stop: the caller is shutting down).
};

// Serves one client on `client_fd` until it ends. With cancel_fd = -1 nothing cancels it (a
// forked child, whose SIGTERM keeps its default action). With cancel_fd >= 0 (the iterative
// server passes the bridge's stop fd), `client_fd` is made non-blocking so that a client that
// stops reading cannot hold up a cancel. `quiet` (G3): no per-message line is even built.
SessionEnd ServeEchoSession(int client_fd, const core::Endpoint& peer, const Console& console,
                            bool quiet, int cancel_fd);

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_ECHO_LOOP_H_

// echo_loop.h: T2's echo session on a connected socket, carried out for the core's EchoSession.
//
// Used by the iterative, fork-per-client and pre-forked servers alike, on a blocking socket, as
// the lecture's loop is: one read of at most 8191 bytes (G4), then every byte written back
// (completing short writes), the core's console lines printed; it returns when the peer
// closes or fails. Nothing here waits for a signal: a fork server's child and a pre-forked
// worker die of their SIGTERM, and the iterative server has a stop shut the socket down
// (SignalBridge::ShutDownOnStop), which ends the session as an EOF or EPIPE would.
#ifndef NETREF_REFERENCE_POSIX_ECHO_LOOP_H_
#define NETREF_REFERENCE_POSIX_ECHO_LOOP_H_

#include "reference/core/ipv4.h"
#include "reference/posix/console.h"

namespace netref::posix {

enum class SessionEnd {
  kPeerClosed,  // EOF: `Client(PORT): is disconnected`.
  kPeerFailed,  // A reset or a write to a vanished peer: logged, the session ends, not the server.
};

// Serves one client on the blocking socket `client_fd` until it ends. `quiet` (G3): no
// per-message line is even built.
SessionEnd ServeEchoSession(int client_fd, const core::Endpoint& peer, const Console& console,
                            bool quiet);

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_ECHO_LOOP_H_

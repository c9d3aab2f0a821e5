// chat_peers.h: the kit's own UDP endpoints on 127.0.0.1, playing chat clients (against a chat
// server under test) or the chat server (against a chat client under test), and what they
// received. Must not: wait without a deadline; a datagram that never comes is observed as a
// quiet period.
#ifndef NETREF_HARNESS_CONFORMANCE_CHAT_PEERS_H_
#define NETREF_HARNESS_CONFORMANCE_CHAT_PEERS_H_

#include <string>
#include <vector>

#include "harness/support/udp_peer.h"

namespace netref::conformance {

using Inbox = std::vector<std::string>;  // The datagrams one peer received, in order.

// `n` sockets bound to 127.0.0.1:0 (fewer if a bind failed).
std::vector<testing::UdpPeer> BindPeers(int n);

// Every datagram each peer receives until none arrives for `quiet_ms` (stretched by
// NETREF_TIME_SCALE; at most 3 s in all).
std::vector<Inbox> Collect(std::vector<testing::UdpPeer>& peers, int quiet_ms);

// ["a", "b\n"]: an inbox as text, each datagram escaped.
std::string Show(const Inbox& inbox);
// "datagrams of 19, 8191 bytes" ("no datagrams" for an empty inbox): for large payloads.
std::string Sizes(const Inbox& inbox);

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_CHAT_PEERS_H_

// chat_peers.cc
#include "harness/conformance/chat_peers.h"

#include <poll.h>

#include <chrono>

#include "harness/conformance/kit.h"

namespace netref::conformance {

std::vector<testing::UdpPeer> BindPeers(int n) {
  std::vector<testing::UdpPeer> peers;
  for (int i = 0; i < n; ++i) {
    if (std::optional<testing::UdpPeer> peer = testing::UdpPeer::Bind()) {
      peers.push_back(std::move(*peer));
    }
  }
  return peers;
}

std::vector<Inbox> Collect(std::vector<testing::UdpPeer>& peers, int quiet_ms) {
  std::vector<Inbox> inboxes(peers.size());
  const testing::Deadline overall = testing::Deadline::In(std::chrono::milliseconds(3000));
  while (!overall.expired()) {
    std::vector<pollfd> fds;
    for (const testing::UdpPeer& peer : peers) fds.push_back({peer.fd(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), Scaled(quiet_ms)) <= 0) break;
    for (std::size_t i = 0; i < peers.size(); ++i) {
      if ((fds[i].revents & POLLIN) == 0) continue;
      if (std::optional<testing::Datagram> d =
              peers[i].Receive(testing::Deadline::In(std::chrono::milliseconds(0)))) {
        inboxes[i].push_back(d->bytes);
      }
    }
  }
  return inboxes;
}

std::string Show(const Inbox& inbox) {
  std::string text = "[";
  for (const std::string& datagram : inbox) {
    text += (text.size() > 1 ? ", " : "") + Escape(datagram, 60);
  }
  return text + "]";
}

std::string Sizes(const Inbox& inbox) {
  if (inbox.empty()) return "no datagrams";
  std::string text = "datagrams of ";
  for (std::size_t i = 0; i < inbox.size(); ++i) {
    text += (i ? ", " : "") + std::to_string(inbox[i].size());
  }
  return text + " bytes";
}

}  // namespace netref::conformance

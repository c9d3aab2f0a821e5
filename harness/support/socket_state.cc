// socket_state.cc
#include "harness/support/socket_state.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "harness/support/subprocess.h"

namespace netref::testing {
namespace {

// "0100007F:1F90": the address as the kernel's %08X of the network-order word, the port in hex.
core::Endpoint ParseHexEndpoint(const std::string& text) {
  const std::size_t colon = text.find(':');
  const auto raw = static_cast<std::uint32_t>(std::stoul(text.substr(0, colon), nullptr, 16));
  return core::Endpoint{core::Ipv4Address{ntohl(raw)}, static_cast<std::uint16_t>(std::stoul(
                                                           text.substr(colon + 1), nullptr, 16))};
}

std::set<unsigned long> SocketInodesOf(pid_t pid) {
  std::set<unsigned long> inodes;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* fds = ::opendir(dir.c_str());
  if (fds == nullptr) return inodes;
  while (dirent* entry = ::readdir(fds)) {
    char target[64] = {};
    const std::string link = dir + "/" + entry->d_name;
    if (::readlink(link.c_str(), target, sizeof target - 1) <= 0) continue;
    const std::string text(target);
    if (text.rfind("socket:[", 0) == 0) inodes.insert(std::stoul(text.substr(8)));
  }
  ::closedir(fds);
  return inodes;
}

// "ADDR:PORT" as ss prints an IPv4 endpoint.
std::optional<std::uint16_t> PortOf(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  return static_cast<std::uint16_t>(std::stoul(text.substr(colon + 1)));
}

}  // namespace

std::vector<TcpSocket> TcpSocketsOf(pid_t pid) {
  const std::set<unsigned long> held = SocketInodesOf(pid);
  std::vector<TcpSocket> sockets;
  std::ifstream table("/proc/" + std::to_string(pid) + "/net/tcp");
  std::string line;
  std::getline(table, line);  // The header.
  while (std::getline(table, line)) {
    // sl local rem st tx_queue:rx_queue tr:when retrnsmt uid timeout inode ...
    std::istringstream row(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
    unsigned long inode = 0;
    row >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
        inode;
    if (!row || held.count(inode) == 0) continue;
    TcpSocket socket;
    socket.local = ParseHexEndpoint(local);
    socket.remote = ParseHexEndpoint(remote);
    socket.listening = state == "0A";
    const std::size_t colon = queues.find(':');
    socket.send_queue = std::stoul(queues.substr(0, colon), nullptr, 16);
    socket.receive_queue = std::stoul(queues.substr(colon + 1), nullptr, 16);
    socket.inode = inode;
    sockets.push_back(socket);
  }
  return sockets;
}

std::vector<core::Endpoint> ListeningEndpointsOf(pid_t pid) {
  std::vector<core::Endpoint> listening;
  for (const TcpSocket& socket : TcpSocketsOf(pid)) {
    if (socket.listening) listening.push_back(socket.local);
  }
  return listening;
}

std::optional<TcpSocket> ConnectionOf(pid_t pid, const core::Endpoint& local,
                                      const core::Endpoint& remote) {
  for (const TcpSocket& socket : TcpSocketsOf(pid)) {
    if (!socket.listening && socket.local == local && socket.remote == remote) return socket;
  }
  return std::nullopt;
}

std::optional<ListenerQueue> ListenerQueueOf(const core::Endpoint& local) {
  const Finished ss = RunToEnd({"/bin/ss", "-Hltn", "sport = :" + std::to_string(local.port)},
                               Deadline::In(std::chrono::seconds(10)));
  std::istringstream lines(ss.out);
  for (std::string line; std::getline(lines, line);) {
    // "LISTEN 0 2 127.0.0.1:40000 0.0.0.0:*"
    std::istringstream row(line);
    std::string state, endpoint;
    ListenerQueue queue;
    row >> state >> queue.waiting >> queue.backlog >> endpoint;
    if (row && state == "LISTEN" && PortOf(endpoint) == local.port &&
        endpoint.substr(0, endpoint.rfind(':')) == core::FormatIpv4(local.address)) {
      return queue;
    }
  }
  return std::nullopt;
}

std::optional<TcpCounters> TcpCountersOf(const core::Endpoint& local,
                                         const core::Endpoint& remote) {
  const Finished ss = RunToEnd(
      {"/bin/ss", "-Htin",
       "sport = :" + std::to_string(local.port) + " and dport = :" + std::to_string(remote.port)},
      Deadline::In(std::chrono::seconds(10)));
  // "ESTAB 0 3787791 127.0.0.1:38611 127.0.0.1:37324", then a tab-indented line of key:value
  // pairs with bytes_acked: and bytes_received:.
  std::istringstream lines(ss.out);
  std::string head, info;
  if (!std::getline(lines, head) || !std::getline(lines, info)) return std::nullopt;
  std::istringstream row(head);
  std::string state;
  TcpCounters counters;
  row >> state >> counters.unread >> counters.unacked;
  if (!row || state != "ESTAB") return std::nullopt;
  const auto field = [&](const std::string& key) -> std::optional<std::size_t> {
    const std::size_t at = info.find(" " + key + ":");
    if (at == std::string::npos) return std::nullopt;
    return static_cast<std::size_t>(std::stoull(info.substr(at + key.size() + 2)));
  };
  const std::optional<std::size_t> acked = field("bytes_acked");
  const std::optional<std::size_t> received = field("bytes_received");
  counters.acked = acked.value_or(0);  // Absent until the first byte is acknowledged.
  counters.received = received.value_or(0);
  return counters;
}

OwnQueues OwnQueuesOf(int fd) {
  int unsent = 0, unread = 0;
  OwnQueues queues;
  if (::ioctl(fd, SIOCOUTQ, &unsent) == 0) queues.send_queue = static_cast<std::size_t>(unsent);
  if (::ioctl(fd, SIOCINQ, &unread) == 0) queues.receive_queue = static_cast<std::size_t>(unread);
  return queues;
}

}  // namespace netref::testing

// proc_net.cc: reads /proc/net's socket tables and /proc/PID/fd. A socket that is only created
// (not bound, not connected) is in no table, which is what TreeUsesNetwork relies on.
#include "harness/conformance/proc_net.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness/support/proc_inspect.h"

namespace netref::conformance {
namespace {

// One row of a /proc/net socket table.
struct SocketRow {
  std::uint16_t local_port = 0;
  std::string state;  // Hex: 0A is TCP_LISTEN, 06 TIME_WAIT, 01 ESTABLISHED; 07 unconnected UDP.
  std::string inode;
};

std::uint16_t PortOf(const std::string& address) {  // "0100007F:1F90" -> 8080
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return 0;
  return static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1), nullptr, 16));
}

// The rows of /proc/net/FILE; with `listening_only`, only the TCP listeners. The kernel writes
// a TCP table's listening sockets first, and it writes the file as it is read, so stopping at
// the first other row spares it the rest: on a busy machine the rest is tens of thousands of
// TIME_WAIT rows, too many to format every few milliseconds.
std::vector<SocketRow> ReadTable(const std::string& file, bool listening_only) {
  std::vector<SocketRow> rows;
  std::ifstream in("/proc/net/" + file);
  std::string line;
  std::getline(in, line);  // The header.
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, queues, skip;  // queues: tx_queue:rx_queue
    SocketRow row;
    fields >> slot >> local >> remote >> row.state >> queues;
    for (int i = 0; i < 4; ++i) fields >> skip;  // tr:when retrnsmt uid timeout
    fields >> row.inode;
    if (local.empty()) continue;
    if (listening_only && row.state != "0A") break;
    row.local_port = PortOf(local);
    rows.push_back(row);
  }
  return rows;
}

// The UDP sockets, or the TCP ones (only the listeners, if `listening_only`), IPv4 and IPv6.
std::vector<SocketRow> Rows(bool udp, bool listening_only = false) {
  std::vector<SocketRow> rows = ReadTable(udp ? "udp" : "tcp", !udp && listening_only);
  for (const SocketRow& row : ReadTable(udp ? "udp6" : "tcp6", !udp && listening_only)) {
    rows.push_back(row);
  }
  return rows;
}

// The socket inodes held open by any process in the tree of `root`.
std::set<std::string> TreeSocketInodes(pid_t root) {
  std::set<std::string> inodes;
  std::vector<pid_t> tree = testing::DescendantsOf(root);
  tree.push_back(root);
  for (pid_t pid : tree) {
    const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    DIR* fds = ::opendir(dir.c_str());
    if (fds == nullptr) continue;
    while (dirent* entry = ::readdir(fds)) {
      char target[128];
      const std::string path = dir + "/" + entry->d_name;
      const ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      const std::string link(target, static_cast<std::size_t>(n));
      if (link.rfind("socket:[", 0) == 0) inodes.insert(link.substr(8, link.size() - 9));
    }
    ::closedir(fds);
  }
  return inodes;
}

}  // namespace

bool TreeUsesNetwork(pid_t root) {
  const std::set<std::string> held = TreeSocketInodes(root);
  if (held.empty()) return false;
  // UDP sockets appear once bound (or at their first sendto), TCP servers once they listen.
  // A TCP client's connection is not looked for: it is in the long part of the table, and a
  // client that took a bad port for 0 or 4464 is refused and exits at once anyway.
  for (bool udp : {false, true}) {
    for (const SocketRow& row : Rows(udp, /*listening_only=*/true)) {
      if (held.count(row.inode) > 0 && row.local_port != 0) return true;
    }
  }
  return false;
}

bool TreeIsBoundTo(pid_t root, std::uint16_t port, bool udp) {
  std::set<std::string> bound;
  for (const SocketRow& row : Rows(udp, /*listening_only=*/true)) {
    if (row.local_port == port) bound.insert(row.inode);
  }
  if (bound.empty()) return false;
  for (const std::string& inode : TreeSocketInodes(root)) {
    if (bound.count(inode) > 0) return true;
  }
  return false;
}

bool PortInTimeWait(std::uint16_t port) {
  for (const SocketRow& row : Rows(false)) {
    if (row.local_port == port && row.state == "06") return true;
  }
  return false;
}

}  // namespace netref::conformance

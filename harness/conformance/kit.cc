// kit.cc: how the conformance kit starts programs from templates, finds their port, and ends
// everything it started. Must not: signal anything but its own descendants, by pid.
#include "harness/conformance/kit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "harness/support/proc_inspect.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;

bool IsUdp(Role role) { return role == Role::kChatServer || role == Role::kChatClient; }

std::string Fill(std::string text, const std::string& ip, const std::string& port) {
  for (const auto& [key, value] :
       {std::pair<std::string, std::string>{"{ip}", ip}, {"{port}", port}}) {
    for (std::size_t at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
      text.replace(at, key.size(), value);
      at += value.size();
    }
  }
  return text;
}

// A free port on 127.0.0.1 for `type`: bind port 0, read what the kernel gave, close. Another
// process could take it before the program binds; the wait below would then time out, not lie,
// because it checks that the socket on that port belongs to the program.
std::uint16_t PickFreePort(int type) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// Socket inodes bound to local `port` in /proc/net/FILE (TCP: only those in LISTEN, state 0A).
std::set<std::string> InodesOnPort(const std::string& file, std::uint16_t port, bool tcp) {
  std::set<std::string> inodes;
  std::ifstream in("/proc/net/" + file);
  std::string line;
  std::getline(in, line);  // The header.
  char wanted[8];
  std::snprintf(wanted, sizeof wanted, ":%04X", static_cast<unsigned>(port));
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, skip, inode;
    fields >> slot >> local >> remote >> state;
    for (int i = 0; i < 5; ++i) fields >> skip;  // tx:rx tr:when retrnsmt uid timeout
    fields >> inode;
    if (local.size() < 5 || local.compare(local.size() - 5, 5, wanted) != 0) continue;
    if (tcp && state != "0A") continue;
    inodes.insert(inode);
  }
  return inodes;
}

// True when a process in the tree of `root` holds a socket bound to `port` (listening, for TCP).
bool TreeIsBoundTo(pid_t root, std::uint16_t port, bool udp) {
  std::set<std::string> inodes = InodesOnPort(udp ? "udp" : "tcp", port, !udp);
  for (const std::string& inode : InodesOnPort(udp ? "udp6" : "tcp6", port, !udp)) {
    inodes.insert(inode);
  }
  if (inodes.empty()) return false;
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
      if (link.rfind("socket:[", 0) == 0 && inodes.count(link.substr(8, link.size() - 9)) > 0) {
        ::closedir(fds);
        return true;
      }
    }
    ::closedir(fds);
  }
  return false;
}

// True if `word` is a path, or an executable file found in $PATH (as the shell would find it).
bool NamesAFile(const std::string& word) {
  if (word.find('/') != std::string::npos) return true;
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (::access(((dir.empty() ? "." : dir) + "/" + word).c_str(), X_OK) == 0) return true;
  }
  return false;
}

void Nap(int ms) { ::usleep(static_cast<useconds_t>(ms) * 1000); }

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kIterativeServer:
      return "iterative-server";
    case Role::kForkServer:
      return "fork-server";
    case Role::kTestClient:
      return "test-client";
    case Role::kChatServer:
      return "chat-server";
    case Role::kChatClient:
      return "chat-client";
    case Role::kLivesDemo:
      return "lives-demo";
    case Role::kIgnoreDemo:
      return "ignore-demo";
  }
  return "?";
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kPass:
      return "pass";
    case Verdict::kFail:
      return "FAIL";
    case Verdict::kDeviation:
      return "deviation";
    case Verdict::kNotApplicable:
      return "n/a";
  }
  return "?";
}

void Programs::Set(Role role, std::string command) { templates[RoleIndex(role)] = command; }

Outcome Pass() { return Outcome{}; }
Outcome Fail(std::string expected, std::string observed) {
  return Outcome{Verdict::kFail, "", std::move(expected), std::move(observed)};
}
Outcome Deviation(std::string name, std::string expected, std::string observed) {
  return Outcome{Verdict::kDeviation, std::move(name), std::move(expected), std::move(observed)};
}

std::string Escape(std::string_view bytes, std::size_t max) {
  std::string out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\0') {
      out += "\\0";
    } else if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (out.size() > max) {
    out = out.substr(0, max / 2) + "…(" + std::to_string(bytes.size()) + " bytes)…" +
          out.substr(out.size() - max / 2);
  }
  return "\"" + out + "\"";
}

Kit::Kit(Programs programs) : programs_(std::move(programs)) {
  // Orphans (a chat client's child left running, a killed server's children) are reparented to
  // the kit, so it can see them in /proc and reap them by pid instead of leaking them to init.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // The kit writes to the stdin of programs that may have quit (or closed stdin) a moment
  // before: such a write must fail with EPIPE, not kill the kit with its report half written.
  // The programs under test still start with SIGPIPE at its default (the spawn resets every
  // signal), so a lecture server that dies of SIGPIPE is still seen to.
  ::signal(SIGPIPE, SIG_IGN);
  // stdbuf works by LD_PRELOAD, which puts its library before an ASan-built program's runtime;
  // ASan then refuses to start. The order is harmless here, so the check is turned off for the
  // programs the kit starts (they inherit this environment; the kit is single-threaded).
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string options = (asan != nullptr && *asan != '\0' ? std::string(asan) + ":" : "") +
                              "verify_asan_link_order=0";
  ::setenv("ASAN_OPTIONS", options.c_str(), 1);
}

testing::Subprocess Kit::Spawn(const std::string& command, bool pipe_stdin) {
  // A simple command is exec'd by the shell, so the kit's pid is the program's own: its
  // SIGTERM (G5) reaches the program and its wait status is the program's. A compound template
  // (`cd dir && ./a.out {port}`) keeps its shell, which then stands in for the program; so does
  // one that starts with an assignment (`exec X=1 ./a.out` would try to run "X=1").
  // Only a command that names a file can be exec'd: `exec exit 3` fails with 127 where the
  // shell's own `exit 3` exits 3, so builtins and keywords keep their shell too.
  const std::string first_word = command.substr(0, command.find(' '));
  const bool simple = command.find_first_of(";&|<>()`$\n\"'\\") == std::string::npos &&
                      first_word.find('=') == std::string::npos && NamesAFile(first_word);
  // stdbuf -oL: a lecture program's printf to a pipe would otherwise sit in a 4 KiB buffer
  // until exit, and SIGKILL loses it; line buffering shows each console line as printed.
  return testing::Subprocess::Start(
      {"/usr/bin/stdbuf", "-oL", "/bin/sh", "-c", simple ? "exec " + command : command},
      testing::SpawnOptions{pipe_stdin});
}

bool Kit::AnnouncesPort(Role role) {
  std::optional<bool>& known = announces_[RoleIndex(role)];
  if (!known) {
    testing::Subprocess probe = Spawn(Fill(*programs_[role], "127.0.0.1", "0"), false);
    known = probe.WaitForLineStartingWith("listening on ", Deadline::In(milliseconds(1500)))
                .has_value();
    probe.Signal(SIGKILL);
    probe.Wait(Deadline::In(milliseconds(1000)));
    EndEverything();  // The probe's children, if it forked any before it was killed.
  }
  return *known;
}

std::optional<Launched> Kit::StartServer(Role role, std::string* why) {
  const bool udp = IsUdp(role);
  if (AnnouncesPort(role)) {
    Launched server{Spawn(Fill(*programs_[role], "127.0.0.1", "0"), false)};
    std::optional<std::string> line =
        server.process.WaitForLineStartingWith("listening on ", Deadline::In(milliseconds(5000)));
    if (!line) {
      *why = "no `listening on` line; stderr " + Escape(server.process.stderr_text());
      return std::nullopt;
    }
    server.endpoint.port =
        static_cast<std::uint16_t>(std::atoi(line->c_str() + line->rfind(':') + 1));
    return server;
  }
  const std::uint16_t port = PickFreePort(udp ? SOCK_DGRAM : SOCK_STREAM);
  Launched server{Spawn(Fill(*programs_[role], "127.0.0.1", std::to_string(port)), false)};
  server.endpoint.port = port;
  const Deadline deadline = Deadline::In(milliseconds(5000));
  while (!TreeIsBoundTo(server.process.pid(), port, udp)) {
    const std::optional<testing::ProcInfo> info = testing::ReadProc(server.process.pid());
    if (deadline.expired() || !info || info->state == 'Z') {
      *why = "never bound port " + std::to_string(port) + "; stderr " +
             Escape(server.process.stderr_text());
      return std::nullopt;
    }
    server.process.PumpNow();
    Nap(10);
  }
  return server;
}

Launched Kit::StartClient(Role role, const core::Endpoint& server) {
  return Launched{Spawn(Fill(*programs_[role], "127.0.0.1", std::to_string(server.port)), true),
                  server};
}

testing::Subprocess Kit::StartPlain(Role role) { return Spawn(*programs_[role], false); }

testing::Subprocess Kit::StartWith(Role role, const std::string& ip, const std::string& port) {
  return Spawn(Fill(*programs_[role], ip, port), false);
}

void Kit::EndEverything() {
  const Deadline deadline = Deadline::In(milliseconds(3000));
  while (!deadline.expired()) {
    const std::vector<pid_t> below = testing::DescendantsOf(::getpid());
    if (below.empty()) return;
    for (pid_t pid : below) ::kill(pid, SIGKILL);  // Only the kit's own descendants, by pid.
    for (const testing::ProcInfo& child : testing::ChildrenOf(::getpid())) {
      int raw = 0;
      ::waitpid(child.pid, &raw, WNOHANG);
    }
    Nap(5);
  }
}

std::vector<pid_t> Kit::LiveLeftovers(pid_t except) {
  std::vector<pid_t> live;
  for (pid_t pid : testing::DescendantsOf(::getpid())) {
    std::optional<testing::ProcInfo> info = testing::ReadProc(pid);
    if (pid != except && info && info->state != 'Z') live.push_back(pid);
  }
  return live;
}

// True if `pid` runs the kit's own launcher (the shell or stdbuf) rather than the program:
// dash catches SIGINT for a moment before it execs the command, so its SigCgt would mislead.
bool IsLauncher(pid_t pid) {
  char exe[PATH_MAX], shell[PATH_MAX];
  const ssize_t n =
      ::readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), exe, sizeof exe - 1);
  if (n <= 0 || ::realpath("/bin/sh", shell) == nullptr) return true;  // Gone, or unknowable.
  exe[n] = '\0';
  return std::strcmp(exe, shell) == 0 || std::strcmp(exe, "/usr/bin/stdbuf") == 0;
}

std::optional<pid_t> ProgramPid(pid_t root) {
  std::vector<pid_t> tree = testing::DescendantsOf(root);
  tree.insert(tree.begin(), root);
  for (pid_t pid : tree) {
    if (!IsLauncher(pid)) return pid;
  }
  return std::nullopt;
}

std::vector<pid_t> ZombiesBelow(pid_t root) {
  std::vector<pid_t> zombies;
  for (pid_t pid : testing::DescendantsOf(root)) {
    std::optional<testing::ProcInfo> info = testing::ReadProc(pid);
    if (info && info->state == 'Z') zombies.push_back(pid);
  }
  return zombies;
}

std::string ReadUpTo(int fd, std::size_t want, const Deadline& deadline) {
  std::string got;
  char buffer[65536];
  while (got.size() < want && !deadline.expired()) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, deadline.remaining_ms()) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, std::min(sizeof buffer, want - got.size()), 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      break;
    }
    got.append(buffer, static_cast<std::size_t>(n));
  }
  return got;
}

}  // namespace netref::conformance

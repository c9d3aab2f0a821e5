// kit.cc: how the conformance kit starts programs from templates, finds their port, and ends
// everything it started. Must not: signal anything but its own descendants, by pid.
#include "harness/conformance/kit.h"

#include <arpa/inet.h>
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
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <utility>

#include "harness/conformance/proc_net.h"
#include "harness/support/proc_inspect.h"

namespace netref::conformance {
namespace {

using std::chrono::milliseconds;
using testing::Deadline;

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

Kit::Kit(Programs programs, bool lecture) : programs_(std::move(programs)), lecture_(lecture) {
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

testing::Subprocess Kit::Spawn(const std::string& command, bool pipe_stdin, bool line_buffered) {
  // A simple command is exec'd by the shell, so the kit's pid is the program's own: its
  // SIGTERM (G5) reaches the program and its wait status is the program's. A compound template
  // (`cd dir && ./a.out {port}`) keeps its shell, which then stands in for the program; so does
  // one that starts with an assignment (`exec X=1 ./a.out` would try to run "X=1"). Only a
  // command that names a file can be exec'd: `exec exit 3` fails with 127 where the shell's own
  // `exit 3` exits 3, so builtins and keywords keep their shell too.
  const std::string first_word = command.substr(0, command.find(' '));
  const bool simple = command.find_first_of(";&|<>()`$\n\"'\\") == std::string::npos &&
                      first_word.find('=') == std::string::npos && NamesAFile(first_word);
  std::vector<std::string> argv = {"/bin/sh", "-c", simple ? "exec " + command : command};
  // stdbuf -oL: a lecture program's printf to a pipe would otherwise sit in a 4 KiB buffer
  // until exit, and SIGKILL loses it; line buffering shows each console line as printed.
  if (line_buffered) argv.insert(argv.begin(), {"/usr/bin/stdbuf", "-oL"});
  return testing::Subprocess::Start(argv, testing::SpawnOptions{pipe_stdin});
}

std::optional<std::string> Kit::Missing(Role role) {
  std::optional<std::optional<std::string>>& known = missing_[RoleIndex(role)];
  if (!known) {
    // Without arguments a program exits at once or runs on (the signal demos); either way the
    // shell has exec'd it, unless it cannot: then it exits 127 (not found) or 126.
    testing::Subprocess probe = StartWith(role, "", "");
    const Deadline deadline = Deadline::In(milliseconds(3000));
    std::optional<core::WaitStatus> status;
    while (!(status = EndedNow(probe)) && !deadline.expired() && !ProgramPid(probe.pid())) {
      Nap(2);
    }
    known.emplace();
    if (status && status->exited() && (status->exit_code == 127 || status->exit_code == 126)) {
      *known = (status->exit_code == 127 ? "command not found" : "command cannot be executed") +
               std::string(" (the shell exited ") + std::to_string(status->exit_code) +
               "); stderr " + Escape(probe.stderr_text());
    }
    probe.Signal(SIGKILL);
    probe.Wait(Deadline::In(milliseconds(1000)));
    EndEverything();
  }
  return *known;
}

bool Kit::AnnouncesPort(Role role) {
  if (lecture_) return false;
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

std::optional<Launched> Kit::StartServer(Role role, std::string* why, ServerStart how) {
  const bool udp = IsUdp(role);
  // Without stdbuf an announcing server's line may sit in its stdio buffer: wait for the bind.
  if (!how.port && how.line_buffered && AnnouncesPort(role)) {
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
  if (how.port) return StartOnPickedPort(role, *how.port, how.line_buffered, why);
  // A port picked here can be taken by another process before the program binds it: then the
  // program exits (or never binds), and one more port is tried before blaming the program.
  const int type = udp ? SOCK_DGRAM : SOCK_STREAM;
  if (std::optional<Launched> server =
          StartOnPickedPort(role, PickFreePort(type), how.line_buffered, why)) {
    return server;
  }
  Kit::EndEverything();
  return StartOnPickedPort(role, PickFreePort(type), how.line_buffered, why);
}

std::optional<Launched> Kit::StartOnPickedPort(Role role, std::uint16_t port, bool line_buffered,
                                               std::string* why) {
  Launched server{
      Spawn(Fill(*programs_[role], "127.0.0.1", std::to_string(port)), false, line_buffered)};
  server.endpoint.port = port;
  const Deadline deadline = Deadline::In(milliseconds(5000));
  while (!TreeIsBoundTo(server.process.pid(), port, IsUdp(role))) {
    const std::optional<core::WaitStatus> ended = EndedNow(server.process);
    if (ended || deadline.expired()) {
      *why = "never bound port " + std::to_string(port) + " (" +
             (ended ? core::DescribeWaitStatus(*ended) : "still running 5 s later") + "); stderr " +
             Escape(server.process.stderr_text());
      return std::nullopt;
    }
    server.process.PumpNow();
    Nap(5);
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

std::optional<core::WaitStatus> EndedNow(testing::Subprocess& process) {
  return process.Wait(Deadline::In(milliseconds(0)));
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

std::vector<pid_t> LiveBelow(pid_t root) {
  std::vector<pid_t> live;
  for (pid_t pid : testing::DescendantsOf(root)) {
    if (testing::IsAlive(pid)) live.push_back(pid);
  }
  return live;
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

int Scaled(int ms) { return static_cast<int>(ms * testing::TimeScale()); }

}  // namespace netref::conformance

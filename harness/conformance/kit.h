// kit.h: the conformance kit's library: checks that judge the spec's clauses against ANY
// implementation of the lecture's programs, given as shell command templates.
//
// A template is run as `/bin/sh -c TEMPLATE` (under `stdbuf -oL`, so a lecture program's printf
// reaches the kit line by line) with `{ip}` and `{port}` filled in. Servers that print G2's
// `listening on ADDR:PORT` get port 0; lecture-style servers that only take a port (and every
// server in --lecture mode) get one the kit picked (bound on 127.0.0.1:0, read, closed) and are
// waited for through /proc/net/{tcp,udp} until a socket of their own process tree is bound
// there (a probe connection would be logged and served as a client, and a probe datagram would
// join the chat list).
// Must not: use threads (it forks), touch anything but 127.0.0.1, signal a process it did not
// start, or leave a process behind (the kit is a child subreaper and reaps every orphan by pid).
#ifndef NETREF_HARNESS_CONFORMANCE_KIT_H_
#define NETREF_HARNESS_CONFORMANCE_KIT_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/subprocess.h"
#include "reference/core/ipv4.h"

namespace netref::conformance {

// The programs a kit run can be pointed at, one command template each.
enum class Role {
  kIterativeServer,  // tcpfirstsrv.c
  kForkServer,       // multiProcessTcpServer.c
  kTestClient,       // tcptestclnt.c
  kChatServer,       // ChatServer.c
  kChatClient,       // ChatClient.c
  kLivesDemo,        // signalbasic.c (S1): no arguments.
  kIgnoreDemo,       // signalsecond.c (S2): no arguments.
};
inline constexpr int kRoleCount = 7;
inline constexpr Role kAllRoles[kRoleCount] = {
    Role::kIterativeServer, Role::kForkServer, Role::kTestClient, Role::kChatServer,
    Role::kChatClient,      Role::kLivesDemo,  Role::kIgnoreDemo};
// "iterative-server", … : the command-line option name without its dashes.
std::string_view RoleName(Role role);
std::optional<Role> RoleNamed(std::string_view name);
// The lecture's file name without ".c" ("multiProcessTcpServer"): what a submission calls it.
std::string_view LectureName(Role role);
inline std::size_t RoleIndex(Role role) { return static_cast<std::size_t>(role); }
bool IsServer(Role role);
bool IsUdp(Role role);

struct Programs {
  std::array<std::optional<std::string>, kRoleCount> templates;
  // Out of line: gcc 12 misreports an inlined optional assignment at a runtime index as
  // "used uninitialized".
  void Set(Role role, std::string command);
  std::optional<std::string>& operator[](Role role) { return templates[RoleIndex(role)]; }
  const std::optional<std::string>& operator[](Role role) const {
    return templates[RoleIndex(role)];
  }
  bool Any() const;
};

// kSkipped: deselected by --only/--skip. kNotRun: the overall --timeout came first (the run is
// incomplete, so it does not pass). kNotApplicable: no program given, or (in --lecture mode) a
// netref extension.
enum class Verdict { kPass, kFail, kDeviation, kNotApplicable, kSkipped, kNotRun };
inline constexpr int kVerdictCount = 6;
std::string_view VerdictName(Verdict verdict);  // "pass", "FAIL", "deviation", "n/a", …

// What one check concluded. A deviation is a known lecture bug, named so a program written
// exactly like the lecture gets a fair report; it fails a run only under --strict.
struct Outcome {
  Verdict verdict = Verdict::kPass;
  std::string deviation;  // The named lecture bug, for kDeviation.
  std::string expected;   // For kFail and kDeviation: what the clause asks for …
  std::string observed;   // … and what the program did (bytes shown escaped); for the other
                          // verdicts, why the check was not judged.
};
Outcome Pass();
Outcome Fail(std::string expected, std::string observed);
Outcome Deviation(std::string name, std::string expected, std::string observed);
Outcome NotJudged(Verdict verdict, std::string why);

// Shows bytes as a C string literal body: printable ASCII as is, the rest as \n, \0, \xNN;
// long strings are cut in the middle.
std::string Escape(std::string_view bytes, std::size_t max = 120);

// One process a check started: its Subprocess (the shell or the program itself).
struct Launched {
  testing::Subprocess process;
  core::Endpoint endpoint{core::kLoopbackAddress, 0};  // Servers: where to reach them.
};

// How a server is started.
struct ServerStart {
  std::optional<std::uint16_t> port;  // This port, not one the kit chooses.
  bool line_buffered = true;          // false: no stdbuf, stdout as the program sets it up.
};

// The state of one kit run: the programs, the mode, and what it learnt about each program.
class Kit {
 public:
  // `lecture`: the programs print no `listening on` line, so the kit never waits for one.
  Kit(Programs programs, bool lecture);

  const Programs& programs() const { return programs_; }
  bool Has(Role role) const { return programs_[role].has_value(); }
  bool lecture() const { return lecture_; }

  // Why `role`'s program cannot be run at all (the shell's 127 "not found" or 126 "cannot
  // execute"), or nullopt if it runs. Probes once, on first use, and ends what it started.
  std::optional<std::string> Missing(Role role);

  // G2: whether the server printed `listening on` when given port 0 (probes once, on first use,
  // and ends everything the kit started: call it before a check starts anything else, as
  // StartServer does). Always false in --lecture mode.
  bool AnnouncesPort(Role role);

  // Starts the server for `role` and waits until it can be reached; nullopt (with `why`) if it
  // exits or never binds within a few seconds.
  std::optional<Launched> StartServer(Role role, std::string* why, ServerStart how = {});
  // Starts the client for `role` aimed at `server`, with stdin piped.
  Launched StartClient(Role role, const core::Endpoint& server);
  // Starts `role`'s program with no stdin (the signal demos take no arguments).
  testing::Subprocess StartPlain(Role role);
  // Runs `role`'s template with {ip} and {port} filled as given (G1 probes: both empty for
  // "no arguments", or a bad port).
  testing::Subprocess StartWith(Role role, const std::string& ip, const std::string& port);

  // Ends every process the kit started that is still around (orphans reparented to the kit
  // included): SIGKILL by pid, then reap. Called after every check.
  static void EndEverything();
  // Processes the kit started that are alive now (not zombies), other than `except`.
  static std::vector<pid_t> LiveLeftovers(pid_t except = -1);

 private:
  testing::Subprocess Spawn(const std::string& command, bool pipe_stdin, bool line_buffered = true);
  std::optional<Launched> StartOnPickedPort(Role role, std::uint16_t port, bool line_buffered,
                                            std::string* why);
  Programs programs_;
  bool lecture_;
  std::array<std::optional<bool>, kRoleCount> announces_;
  std::array<std::optional<std::optional<std::string>>, kRoleCount> missing_;
};

// How `process` ended, if it has (without waiting).
std::optional<core::WaitStatus> EndedNow(testing::Subprocess& process);

// True if `pid` runs the kit's own launcher (the shell or stdbuf) rather than the program.
bool IsLauncher(pid_t pid);
// The program in the tree the kit started as `root`: root itself when the shell exec'd it, else
// the first descendant that is not the launcher; nullopt if there is none (yet).
std::optional<pid_t> ProgramPid(pid_t root);

// Zombies anywhere in the process tree below `root`; live (non-zombie) processes below it.
std::vector<pid_t> ZombiesBelow(pid_t root);
std::vector<pid_t> LiveBelow(pid_t root);

// Reads from `fd` until `want` bytes arrived, EOF, or `deadline`: whatever came.
std::string ReadUpTo(int fd, std::size_t want, const testing::Deadline& deadline);

// Milliseconds, stretched by NETREF_TIME_SCALE: for the quiet periods in which the kit judges
// that something did not happen.
int Scaled(int ms);

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_KIT_H_

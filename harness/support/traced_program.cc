// traced_program.cc
#include "harness/support/traced_program.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>

#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"

namespace netref::testing {
namespace {

constexpr char kStrace[] = "/usr/bin/strace";

// The first word of /proc/PID/cmdline (the path it was started with), or "" if unreadable.
std::string CommandOf(pid_t pid) {
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string first;
  std::getline(cmdline, first, '\0');
  return first;
}

}  // namespace

bool StraceAvailable() { return ::access(kStrace, X_OK) == 0; }

std::vector<std::string> ReadStraceLog(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TracedProgram::TracedProgram(TracedProgram&& other) noexcept
    : tracer(std::move(other.tracer)), program(other.program), endpoint(other.endpoint) {
  other.program = -1;
}

TracedProgram::~TracedProgram() {
  if (program > 0 && tracer.running() && IsAlive(program)) ::kill(program, SIGKILL);
}

TracedProgram StartTraced(const std::vector<std::string>& strace_options, std::string_view program,
                          const std::vector<std::string>& args, SpawnOptions options) {
  std::vector<std::string> argv = {kStrace, "-f", "-qq", "-o", "/dev/null"};
  argv.insert(argv.end(), strace_options.begin(), strace_options.end());
  argv.push_back(BinPath(program));
  argv.insert(argv.end(), args.begin(), args.end());
  Subprocess tracer = Subprocess::Start(argv, options);
  // strace's first children are its own probes of ptrace, which end at once: the program is
  // the child that runs the program's path. A program that fails at once may be gone (and strace
  // ended, a zombie) before it is seen.
  const std::string path = BinPath(program);
  pid_t traced = -1;
  PollUntil(
      [&] {
        for (const ProcInfo& child : ChildrenOf(tracer.pid())) {
          if (CommandOf(child.pid) == path) traced = child.pid;
        }
        const std::optional<ProcInfo> strace = ReadProc(tracer.pid());
        return traced > 0 || !strace || strace->state == 'Z';
      },
      Deadline::In(std::chrono::seconds(10)));
  return TracedProgram(std::move(tracer), traced);
}

TracedProgram StartTracedServer(const std::vector<std::string>& strace_options,
                                std::string_view name, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"0", "--bind", "127.0.0.1"};
  args.insert(args.end(), extra.begin(), extra.end());
  TracedProgram server = StartTraced(strace_options, name, args);
  std::optional<std::string> line = server.tracer.WaitForLineStartingWith(
      "listening on ", Deadline::In(std::chrono::seconds(10)));
  if (line) {
    server.endpoint.port =
        static_cast<std::uint16_t>(std::atoi(line->c_str() + line->rfind(':') + 1));
  }
  return server;
}

std::optional<core::WaitStatus> StopTraced(TracedProgram& traced, const Deadline& deadline) {
  if (traced.program <= 0 || ::kill(traced.program, SIGTERM) != 0) return std::nullopt;
  return traced.tracer.Wait(deadline);
}

}  // namespace netref::testing

// program_main.cc
#include "reference/programs/program_main.h"

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "reference/core/console_lines.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"
#include "reference/posix/inet_socket.h"

namespace netref::programs {

core::ProgramConfig ParseArgsOrExit(core::Program program, int argc, char** argv) {
  const std::string_view argv0 = argc > 0 ? argv[0] : "netref";
  posix::Console::Open(argv0);
  std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  core::Result<core::ProgramConfig> config = core::ParseArgs(program, args);
  const std::string usage = core::UsageText(program, argv0) + "\n";
  if (!config.ok()) {
    posix::Console::Error(config.error());
    (void)posix::WriteAll(2, usage);
    std::exit(kExitUsage);
  }
  if (config.value().help) {
    (void)posix::WriteAll(1, usage);
    std::exit(0);
  }
  return config.value();
}

absl::StatusOr<posix::SignalBridge*> InstallSignals(
    std::initializer_list<posix::SignalSpec> signals) {
  absl::StatusOr<posix::SignalBridge*> bridge = posix::SignalBridge::Install(signals);
  if (bridge.ok()) posix::Console::GiveUpOn((*bridge)->stop_fd());
  return bridge;
}

int Fail(const absl::Status& status) {
  posix::Console::Error(posix::MessageOf(status));
  return kExitFailure;
}

absl::StatusOr<Listening> Listen(const core::ProgramConfig& config, int backlog,
                                 posix::ClientSockets clients, posix::ListenerWaits waits) {
  absl::StatusOr<posix::UniqueFd> listener = posix::ListenTcp(config.endpoint, backlog);
  if (!listener.ok()) return listener.status();
  absl::StatusOr<core::Endpoint> bound = posix::LocalEndpoint(listener->get());
  if (!bound.ok()) return bound.status();
  absl::StatusOr<posix::Acceptor> acceptor =
      posix::Acceptor::Create(std::move(*listener), clients, waits);
  if (!acceptor.ok()) return acceptor.status();
  return Listening{std::move(*acceptor), *bound};
}

void Announce(const core::Endpoint& bound, const posix::Console& console) {
  console.Line(core::ListeningLine(bound));
}

}  // namespace netref::programs

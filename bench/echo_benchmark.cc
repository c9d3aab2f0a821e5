// echo_benchmark.cc: B1, the server models under the same load, beside the machine's limits.
//
// One kernel per workload (sessions, churn, chat), instantiated per server model; the fixture
// starts the real binary (`NAME 0 --bind 127.0.0.1 --quiet`) through harness/support's
// posix_spawn Subprocess, waits for `listening on`, runs the load generator for a fixed time,
// and ends the server with SIGTERM and a reap (G5: exit 0 expected). Each benchmark iteration is
// one timed run, repeated for medians. UseRealTime: the CPU time Google Benchmark measures is
// this process's and cannot see the servers; their CPU is read from /proc (proc_usage.h).
// The limits: bench_bare_echo (a minimal C echo server, iterative or fork per client) under the
// same kernels, and the cost of fork + _exit + waitpid measured here.
// Must not: fork while a server is being driven, or start threads.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "bench/load_generator.h"
#include "bench/proc_usage.h"
#include "harness/support/deadline.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"

namespace netref::bench {
namespace {

using std::chrono::milliseconds;

struct Model {
  std::string name;                // As in the report: iterative, fork, prefork, epoll, bare_*.
  std::string binary;              // In the build's bin/ directory.
  std::vector<std::string> extra;  // Beyond `0 --bind 127.0.0.1 --quiet`.
  int ready_children = 0;          // Children to wait for before the load (a pre-forked pool).
};

// The pre-forked pool is sized to the largest client count, so it is limited by its design
// (a process per concurrent client, made in advance), not by too few workers.
const std::vector<Model>& TcpModels() {
  static const std::vector<Model> models = {
      {"iterative", "tcp_echo_iterative", {}},
      {"fork", "tcp_echo_fork", {}},
      {"prefork", "tcp_echo_prefork", {"--workers", "64"}, 64},
      {"epoll", "tcp_echo_epoll", {}},
      {"bare_iterative", "bench_bare_echo", {}},
      {"bare_fork", "bench_bare_echo", {"--fork"}},
  };
  return models;
}

struct Profile {
  std::vector<std::int64_t> clients, bytes, churn_clients, chat_receivers;
  milliseconds warm_up;  // Sessions: the most time given to connecting every client.
  milliseconds run;      // The measured window of every run.
  int repetitions;
};

Profile QuickProfile() {
  return {{1, 8, 64}, {64, 16384}, {1, 8}, {1, 3, 9}, milliseconds(300), milliseconds(250), 5};
}
Profile FullProfile() {
  return {{1, 2, 4, 8, 16, 32, 64}, {64, 1024, 16384}, {1, 8, 32}, {1, 2, 3, 4, 5, 6, 7, 8, 9},
          milliseconds(1000), milliseconds(1000), 5};
}

Profile g_profile = QuickProfile();

// A running server for one benchmark run, and what the run saw of its process tree.
class ServerUnderTest {
 public:
  explicit ServerUnderTest(const Model& model) : server_(Start(model)) {
    // A pre-forked pool is measured once it is whole, not while it is still forking.
    const testing::Deadline deadline = testing::Deadline::In(milliseconds(10000));
    while (ok() && !deadline.expired() &&
           SampleTree(pid()).children < model.ready_children) {
      Drain();
      ::usleep(5000);
    }
  }

  bool ok() const { return server_.endpoint.port != 0; }
  const core::Endpoint& endpoint() const { return server_.endpoint; }
  pid_t pid() const { return server_.process.pid(); }

  // The load generator's hooks: each tick drains the console (a full pipe would stall the
  // server) and every 5th samples the process tree for peaks; the window's start snapshots the
  // server's CPU.
  Hooks MakeHooks() {
    return {[this] {
              Drain();
              if (++ticks_ % 5 == 0) Sample();
            },
            [this] { cpu_at_start_ = SampleTree(pid()).cpu_seconds; },
            [this] { cpu_at_end_ = SampleTree(pid()).cpu_seconds; }};
  }
  // The server tree's CPU seconds over the measured window.
  double window_cpu() const { return cpu_at_end_ - cpu_at_start_; }

  void Sample() {
    const TreeUsage usage = SampleTree(pid());
    peak_children_ = std::max(peak_children_, usage.children);
    peak_rss_kib_ = std::max(peak_rss_kib_, usage.rss_kib);
  }

  // G5: SIGTERM, then reap; false unless the server exited 0 in time and left no process.
  bool Stop() {
    const std::vector<pid_t> descendants = testing::DescendantsOf(pid());
    server_.process.Signal(SIGTERM);
    std::optional<core::WaitStatus> status =
        server_.process.Wait(testing::Deadline::In(milliseconds(10000)));
    const bool none_left = std::none_of(descendants.begin(), descendants.end(), testing::IsAlive);
    return status && status->ExitedWith(0) && none_left;
  }

  int peak_children() const { return peak_children_; }
  double peak_rss_kib() const { return peak_rss_kib_; }

 private:
  static testing::StartedServer Start(const Model& model) {
    std::vector<std::string> extra = {"--quiet"};
    extra.insert(extra.end(), model.extra.begin(), model.extra.end());
    return testing::StartServer(model.binary, extra);
  }
  void Drain() {
    server_.process.PumpNow();
    while (server_.process.ReadLine(testing::Deadline::In(milliseconds(0)))) {
    }
  }

  testing::StartedServer server_;
  int ticks_ = 0;
  double cpu_at_start_ = 0;
  double cpu_at_end_ = 0;
  int peak_children_ = 0;
  double peak_rss_kib_ = 0;
};

// Runs `load` once inside the state loop against a fresh server, and reports the counters.
template <typename Load>
void RunAgainst(benchmark::State& state, const Model& model, const char* per_op, Load load) {
  ServerUnderTest server(model);
  if (!server.ok()) {
    state.SkipWithError(("server did not start: " + model.binary).c_str());
    return;
  }
  server.Sample();
  LoadResult result;
  double cpu = 0;
  for (auto _ : state) {
    result = load(server.endpoint(), server.MakeHooks());
    cpu = server.window_cpu();
  }
  server.Sample();
  const bool stopped = server.Stop();
  if (!stopped) state.SkipWithError("server did not exit 0 on SIGTERM, or left a process (G5)");
  const double ops = static_cast<double>(result.operations);
  state.SetItemsProcessed(static_cast<std::int64_t>(result.operations));
  state.SetBytesProcessed(static_cast<std::int64_t>(result.bytes));
  state.counters[per_op] = ops / result.seconds;
  state.counters["p50_us"] = QuantileMicros(result.latencies_ns, 0.50);
  state.counters["p99_us"] = QuantileMicros(result.latencies_ns, 0.99);
  if (!result.per_client.empty()) {
    const auto [low, high] = std::minmax_element(result.per_client.begin(), result.per_client.end());
    state.counters["fair_min"] = static_cast<double>(*low);
    state.counters["fair_max"] = static_cast<double>(*high);
  }
  state.counters["server_cpu_us_per_op"] = ops > 0 ? cpu * 1e6 / ops : 0;
  state.counters["server_cpu_cores"] = cpu / result.seconds;
  state.counters["gen_cpu_cores"] = result.generator_cpu / result.seconds;
  state.counters["peak_children"] = server.peak_children();
  state.counters["peak_rss_kib"] = server.peak_rss_kib();
  state.counters["errors"] = static_cast<double>(result.errors);
}

// Sessions: N persistent clients, round trips of S bytes.
void Sessions(benchmark::State& state, const Model& model) {
  const int clients = static_cast<int>(state.range(0));
  const auto bytes = static_cast<std::size_t>(state.range(1));
  RunAgainst(state, model, "rt_per_s", [&](const core::Endpoint& server, const Hooks& hooks) {
    return RunSessions(server, clients, bytes, g_profile.warm_up, g_profile.run, hooks);
  });
}

// Churn: connect, one 64-byte round trip, close; C connections at a time.
void Churn(benchmark::State& state, const Model& model) {
  const int clients = static_cast<int>(state.range(0));
  RunAgainst(state, model, "conn_per_s", [&](const core::Endpoint& server, const Hooks& hooks) {
    return RunChurn(server, clients, g_profile.run, hooks);
  });
}

// Chat: one sender, K receivers; payload datagrams delivered per second, and loss.
void Chat(benchmark::State& state, const Model& model) {
  const int receivers = static_cast<int>(state.range(0));
  RunAgainst(state, model, "delivered_per_s",
             [&](const core::Endpoint& server, const Hooks& hooks) {
               LoadResult result = RunChat(server, receivers, 64, g_profile.run, hooks);
               const double sent = static_cast<double>(result.operations + result.errors);
               state.counters["loss"] = sent > 0 ? static_cast<double>(result.errors) / sent : 0;
               return result;
             });
}

// The machine's limit for the fork models: one fork + _exit + waitpid, from this small process.
void ForkExitWait(benchmark::State& state) {
  for (auto _ : state) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid) {
      state.SkipWithError("fork/waitpid failed");
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["s_per_fork"] = benchmark::Counter(
      static_cast<double>(state.iterations()), benchmark::Counter::kIsRate |
                                                   benchmark::Counter::kInvert);
}

void RegisterAll(bool with_chat) {
  const Profile& p = g_profile;
  for (const Model& model : TcpModels()) {
    benchmark::RegisterBenchmark(("sessions/" + model.name).c_str(), Sessions, model)
        ->ArgNames({"clients", "bytes"})
        ->ArgsProduct({p.clients, p.bytes})
        ->Iterations(1)->Repetitions(p.repetitions)->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  for (const Model& model : TcpModels()) {
    benchmark::RegisterBenchmark(("churn/" + model.name).c_str(), Churn, model)
        ->ArgNames({"clients"})
        ->ArgsProduct({p.churn_clients})
        ->Iterations(1)->Repetitions(p.repetitions)->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  if (with_chat) {
    static const Model chat = {"udp_chat_server", "udp_chat_server", {}};
    benchmark::RegisterBenchmark("chat/udp_chat_server", Chat, chat)
        ->ArgNames({"receivers"})
        ->ArgsProduct({p.chat_receivers})
        ->Iterations(1)->Repetitions(p.repetitions)->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("limit/fork_exit_wait", ForkExitWait)
      ->MinTime(0.2)->Repetitions(p.repetitions)->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace
}  // namespace netref::bench

// Own flags (removed before Google Benchmark sees argv): --profile=quick|full.
int main(int argc, char** argv) {
  using namespace netref::bench;
  std::string profile = "quick";
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--profile=", 10) == 0) {
      profile = argv[i] + 10;
    } else {
      args.push_back(argv[i]);
    }
  }
  if (profile == "full") {
    g_profile = FullProfile();
  } else if (profile != "quick") {
    std::fprintf(stderr, "usage: %s [--profile=quick|full] [benchmark flags]\n", argv[0]);
    return 2;
  }
  // The servers live beside this binary in bin/ (harness/support reads NETREF_BIN_DIR).
  char self[4096] = {};
  if (::readlink("/proc/self/exe", self, sizeof self - 1) > 0) {
    std::string dir(self);
    ::setenv("NETREF_BIN_DIR", dir.substr(0, dir.rfind('/')).c_str(), /*overwrite=*/0);
  }
  const std::string chat_path = netref::testing::BinPath("udp_chat_server");
  const bool with_chat = ::access(chat_path.c_str(), X_OK) == 0;

  utsname uts{};
  ::uname(&uts);
  benchmark::AddCustomContext("netref_profile", profile);
  benchmark::AddCustomContext("netref_build_type", NETREF_BUILD_TYPE);
#ifdef __clang__
  benchmark::AddCustomContext("compiler", "clang++ " __clang_version__);
#else
  benchmark::AddCustomContext("compiler", "g++ " __VERSION__);
#endif
  benchmark::AddCustomContext("kernel", std::string(uts.sysname) + " " + uts.release);
  benchmark::AddCustomContext("online_cpus", std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)));
  benchmark::AddCustomContext("run_ms", std::to_string(g_profile.run.count()));
  benchmark::AddCustomContext("chat_included", with_chat ? "yes" : "no (udp_chat_server not built)");

  RegisterAll(with_chat);
  int new_argc = static_cast<int>(args.size());
  benchmark::Initialize(&new_argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(new_argc, args.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// echo_benchmark.cc: B1, each netref server beside its minimal C counterpart, under one load.
//
// One kernel per workload (sessions, churn, chat), instantiated per server model; the fixture
// starts the real binary (`NAME 0 --bind 127.0.0.1 --quiet`) through harness/support's
// posix_spawn Subprocess, waits for `listening on`, runs the load generator for a fixed time,
// checks that no exited child is left unreaped, and ends the server with SIGTERM and a reap (G5:
// exit 0 expected). Each benchmark iteration is one timed run, repeated for medians.
// The counterparts: bench_bare_{iterative,fork,prefork,epoll} (bench/minimal/), the same models
// in plain C, run through the same kernels; make_report.py prints each server's ratio to its own.
// Time: the iteration's manual time is the window divided by the operations done in it, so the
// reported time is one operation's (compare.py can then judge two runs), and items_per_second is
// the rate. The servers' CPU, mappings and RSS are read from /proc (proc_usage.h): the CPU time
// Google Benchmark measures is this process's and cannot see them.
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
  std::string name;                // As in the report: fork, bare_fork, fork@VARIANT, ...
  std::string binary;              // In the build's bin/ directory, or an absolute path.
  std::vector<std::string> extra;  // Beyond `0 --bind 127.0.0.1 --quiet`.
  int idle_children = 0;           // Children the idle server keeps (a pre-forked pool's).
};

// The pre-forked pools are sized to the largest client count, so they are limited by their
// design (a process per concurrent client, made in advance), not by too few workers.
std::vector<Model> NetrefModels(const std::string& dir, const std::string& suffix) {
  const std::string prefix = dir.empty() ? "" : dir + "/";
  return {
      {"iterative" + suffix, prefix + "tcp_echo_iterative", {}},
      {"fork" + suffix, prefix + "tcp_echo_fork", {}},
      {"prefork" + suffix, prefix + "tcp_echo_prefork", {"--workers", "64"}, 64},
      {"epoll" + suffix, prefix + "tcp_echo_epoll", {}},
  };
}

// Every netref model, each minimal C counterpart (bare_MODEL), and each --variant=LABEL:DIR's
// netref models (MODEL@LABEL: the same servers built another way, e.g. another NETREF_LINK).
std::vector<Model> g_tcp_models;

void SetUpModels(const std::vector<std::pair<std::string, std::string>>& variants) {
  g_tcp_models = NetrefModels("", "");
  const std::vector<Model> bare = {
      {"bare_iterative", "bench_bare_iterative", {}},
      {"bare_fork", "bench_bare_fork", {}},
      {"bare_prefork", "bench_bare_prefork", {"--workers", "64"}, 64},
      {"bare_epoll", "bench_bare_epoll", {}},
  };
  g_tcp_models.insert(g_tcp_models.end(), bare.begin(), bare.end());
  for (const auto& [label, dir] : variants) {
    for (const Model& model : NetrefModels(dir, "@" + label)) {
      if (::access(model.binary.c_str(), X_OK) == 0) g_tcp_models.push_back(model);
    }
  }
}

// Problems that must fail the run loudly (zombies, a server that did not stop), in run order.
std::vector<std::string> g_failures;

struct Profile {
  std::vector<std::int64_t> clients, bytes, churn_clients, chat_receivers;
  milliseconds warm_up;  // Sessions: the most time given to connecting every client.
  milliseconds run;      // The measured window of every run.
  int repetitions;
};

Profile QuickProfile() {
  // 9 repetitions of 1 s: on this shared 2-vCPU VM a 250 ms repetition's rate varies by about
  // 15% (cv) and a 1 s one's by about 10% (median over 56 cells), with no correlation between
  // one repetition and the next (lag 1: -0.01 over 504 runs), so only the time measured narrows
  // a ratio's interval (make_report.py's verdicts): about ±12% with 250 ms runs, ±8% with 1 s.
  return {{1, 64}, {64, 16384}, {1, 4, 16}, {1, 3, 9}, milliseconds(300), milliseconds(1000), 9};
}
// For smoke runs and the report's test fixture: every kernel and model once over, short runs.
Profile SmokeProfile() {
  return {{1, 64}, {64}, {1, 4, 16}, {1, 3, 9}, milliseconds(200), milliseconds(100), 3};
}
Profile FullProfile() {
  return {{1, 2, 4, 8, 16, 32, 64},
          {64, 1024, 16384},
          {1, 4, 16, 64},
          {1, 2, 3, 4, 5, 6, 7, 8, 9},
          milliseconds(1000),
          milliseconds(1000),
          5};
}

Profile g_profile = QuickProfile();

// What the server tree and the machine had used at one instant (a window's start or end).
struct Snapshot {
  double tree_cpu = 0;
  double parent_cpu = 0;
  double machine_busy = 0;
};

// A running server for one benchmark run, and what the run saw of its process tree.
class ServerUnderTest {
 public:
  explicit ServerUnderTest(const Model& model)
      : server_(Start(model)), idle_children_(model.idle_children) {
    // A pre-forked pool is measured once it is whole, not while it is still forking.
    const testing::Deadline deadline = testing::Deadline::In(milliseconds(10000));
    while (ok() && !deadline.expired() && SampleTree(pid()).children < idle_children_) {
      Drain();
      ::usleep(5000);
    }
  }

  bool ok() const { return server_.endpoint.port != 0; }
  const core::Endpoint& endpoint() const { return server_.endpoint; }
  pid_t pid() const { return server_.process.pid(); }

  // The load generator's hooks: each tick drains the console (a full pipe would stall the
  // server) and every 5th samples the process tree for peaks; the window's start and end
  // snapshot the server's and the machine's CPU.
  Hooks MakeHooks() {
    return {[this] {
              Drain();
              if (++ticks_ % 5 == 0) Sample();
            },
            [this] { start_ = Snap(); }, [this] { end_ = Snap(); }};
  }
  // CPU seconds over the measured window: the server tree, its parent process alone, and the
  // whole machine.
  double window_cpu() const { return end_.tree_cpu - start_.tree_cpu; }
  double window_parent_cpu() const { return end_.parent_cpu - start_.parent_cpu; }
  double window_machine_busy() const { return end_.machine_busy - start_.machine_busy; }

  void Sample() {
    const TreeUsage usage = SampleTree(pid());
    peak_children_ = std::max(peak_children_, usage.children);
    peak_rss_kib_ = std::max(peak_rss_kib_, usage.rss_kib);
    peak_parent_rss_kib_ = std::max(peak_parent_rss_kib_, usage.parent_rss_kib);
    peak_parent_maps_ = std::max(peak_parent_maps_, usage.parent_maps);
  }

  // T4 after the load: every client is closed, so every forked child exits, and the server must
  // have reaped each one. Waits (up to 2 s) for the tree to come back to its idle size with no
  // zombie, and returns the zombies left then (a transient zombie between a child's exit and
  // its reap is normal; one that stays is a server that does not reap).
  int SettledZombies() {
    const testing::Deadline deadline = testing::Deadline::In(milliseconds(2000));
    TreeUsage usage = SampleTree(pid());
    while (!deadline.expired() && (usage.zombies > 0 || usage.children > idle_children_)) {
      Drain();
      ::usleep(1000);
      usage = SampleTree(pid());
    }
    return usage.zombies;
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

  // After Stop: the console lines the server reported dropped (G3's lines into the pipe this
  // benchmark drains). Any at all means its console was full for the 50 ms grace once, and the
  // server waited that long on it: the cell did not measure the server alone.
  int ConsoleDrops() {
    const std::string errors = server_.process.stderr_text();
    int drops = 0;
    for (std::size_t at = errors.find("console: "); at != std::string::npos;
         at = errors.find("console: ", at + 1)) {
      drops += std::atoi(errors.c_str() + at + std::strlen("console: "));
    }
    return drops;
  }

  int peak_children() const { return peak_children_; }
  double peak_rss_kib() const { return peak_rss_kib_; }
  double peak_parent_rss_kib() const { return peak_parent_rss_kib_; }
  int peak_parent_maps() const { return peak_parent_maps_; }

 private:
  static testing::StartedServer Start(const Model& model) {
    std::vector<std::string> extra = {"--quiet"};
    extra.insert(extra.end(), model.extra.begin(), model.extra.end());
    return testing::StartServer(model.binary, extra);
  }
  // Empties the server's console pipe. Discarded, not split into lines: the load generator
  // calls this on every tick, and every server here writes two lines per connection (the
  // counterparts print netref's --quiet console), so parsing and keeping them would cost the
  // generator CPU for nothing it measures.
  void Drain() { server_.process.DiscardStdoutNow(); }
  Snapshot Snap() const {
    const TreeUsage usage = SampleTree(pid());
    return {usage.cpu_seconds, usage.parent_cpu_seconds, MachineBusySeconds()};
  }

  testing::StartedServer server_;
  int idle_children_;
  int ticks_ = 0;
  Snapshot start_, end_;
  int peak_children_ = 0;
  double peak_rss_kib_ = 0;
  double peak_parent_rss_kib_ = 0;
  int peak_parent_maps_ = 0;
};

// Runs `load` once inside the state loop against a fresh server, and reports the counters.
// `cell` names the run in failure messages (State has no name in this Google Benchmark).
template <typename Load>
void RunAgainst(benchmark::State& state, const Model& model, const std::string& cell,
                const char* per_op, Load load) {
  // The machine's load as the run starts, for the report's record of the run (the noise flag
  // itself comes from other_cpu_cores, measured over the window).
  const double load1 = LoadAverage1();
  ServerUnderTest server(model);
  if (!server.ok()) {
    state.SkipWithError(("server did not start: " + model.binary).c_str());
    g_failures.push_back(cell + ": the server did not start");
    return;
  }
  server.Sample();
  LoadResult result;
  for (auto _ : state) {
    result = load(server.endpoint(), server.MakeHooks());
    // One operation's time (see the top of the file); the whole window if nothing completed.
    const double ops = static_cast<double>(result.operations);
    state.SetIterationTime(ops > 0 ? result.seconds / ops : result.seconds);
  }
  server.Sample();
  const int zombies = server.SettledZombies();
  if (zombies > 0) {
    g_failures.push_back(cell + ": " + std::to_string(zombies) +
                         " zombie children after the load (T4: every child must be reaped)");
    std::fprintf(stderr, "echo_benchmark: ZOMBIES: %s\n", g_failures.back().c_str());
  }
  const bool stopped = server.Stop();
  if (!stopped) {
    state.SkipWithError("server did not exit 0 on SIGTERM, or left a process (G5)");
    g_failures.push_back(cell + ": did not exit 0 on SIGTERM, or left a process (G5)");
  }
  const double ops = static_cast<double>(result.operations);
  const double cpu = server.window_cpu();
  // One operation per reported time (the iteration's time is one operation's): the rate.
  state.SetItemsProcessed(1);
  state.SetBytesProcessed(
      ops > 0 ? static_cast<std::int64_t>(static_cast<double>(result.bytes) / ops) : 0);
  state.counters[per_op] = ops / result.seconds;
  state.counters["p50_us"] = QuantileMicros(result.latencies_ns, 0.50);
  state.counters["p99_us"] = QuantileMicros(result.latencies_ns, 0.99);
  if (!result.per_client.empty()) {
    const auto [low, high] =
        std::minmax_element(result.per_client.begin(), result.per_client.end());
    state.counters["fair_min"] = static_cast<double>(*low);
    state.counters["fair_max"] = static_cast<double>(*high);
  }
  state.counters["server_cpu_us_per_op"] = ops > 0 ? cpu * 1e6 / ops : 0;
  state.counters["parent_cpu_us_per_op"] = ops > 0 ? server.window_parent_cpu() * 1e6 / ops : 0;
  state.counters["server_cpu_cores"] = cpu / result.seconds;
  state.counters["gen_cpu_cores"] = result.generator_cpu / result.seconds;
  // What everything else on the machine used meanwhile (never below 0: clock-tick rounding).
  state.counters["other_cpu_cores"] =
      std::max(0.0, server.window_machine_busy() - cpu - result.generator_cpu) / result.seconds;
  state.counters["load1"] = load1;
  state.counters["peak_children"] = server.peak_children();
  state.counters["peak_rss_kib"] = server.peak_rss_kib();
  state.counters["parent_rss_kib"] = server.peak_parent_rss_kib();
  state.counters["parent_maps"] = server.peak_parent_maps();
  state.counters["zombies"] = zombies;
  state.counters["console_drops"] = server.ConsoleDrops();
  state.counters["errors"] = static_cast<double>(result.errors);
}

// Sessions: N persistent clients, round trips of S bytes.
void Sessions(benchmark::State& state, const Model& model) {
  const int clients = static_cast<int>(state.range(0));
  const auto bytes = static_cast<std::size_t>(state.range(1));
  const std::string cell = "sessions/" + model.name + "/clients:" + std::to_string(clients) +
                           "/bytes:" + std::to_string(bytes);
  RunAgainst(state, model, cell, "rt_per_s", [&](const core::Endpoint& server, const Hooks& hooks) {
    return RunSessions(server, clients, bytes, g_profile.warm_up, g_profile.run, hooks);
  });
}

// Churn: connect, one 64-byte round trip, close; C connections at a time.
void Churn(benchmark::State& state, const Model& model) {
  const int clients = static_cast<int>(state.range(0));
  const std::string cell = "churn/" + model.name + "/clients:" + std::to_string(clients);
  RunAgainst(state, model, cell, "conn_per_s",
             [&](const core::Endpoint& server, const Hooks& hooks) {
               return RunChurn(server, clients, g_profile.run, hooks);
             });
}

// Chat: one sender, K receivers; payload datagrams delivered per second, and loss.
void Chat(benchmark::State& state, const Model& model) {
  const int receivers = static_cast<int>(state.range(0));
  const std::string cell = "chat/" + model.name + "/receivers:" + std::to_string(receivers);
  RunAgainst(state, model, cell, "delivered_per_s",
             [&](const core::Endpoint& server, const Hooks& hooks) {
               LoadResult result = RunChat(server, receivers, 64, g_profile.run, hooks);
               const double sent = static_cast<double>(result.operations + result.errors);
               state.counters["loss"] = sent > 0 ? static_cast<double>(result.errors) / sent : 0;
               return result;
             });
}

// A reference for the fork models: one fork + _exit + waitpid from this process, whose image
// (Google Benchmark, the load generator; `maps` counts its mappings) is not a server's: a lean
// server can fork faster than this.
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
  state.counters["s_per_fork"] =
      benchmark::Counter(static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["maps"] = MapsCount(::getpid());
}

void RegisterAll(bool with_chat) {
  const Profile& p = g_profile;
  for (const Model& model : g_tcp_models) {
    benchmark::RegisterBenchmark(("sessions/" + model.name).c_str(), Sessions, model)
        ->ArgNames({"clients", "bytes"})
        ->ArgsProduct({p.clients, p.bytes})
        ->Iterations(1)
        ->Repetitions(p.repetitions)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  for (const Model& model : g_tcp_models) {
    benchmark::RegisterBenchmark(("churn/" + model.name).c_str(), Churn, model)
        ->ArgNames({"clients"})
        ->ArgsProduct({p.churn_clients})
        ->Iterations(1)
        ->Repetitions(p.repetitions)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  if (with_chat) {
    static const Model chat = {"udp_chat_server", "udp_chat_server", {}};
    benchmark::RegisterBenchmark("chat/udp_chat_server", Chat, chat)
        ->ArgNames({"receivers"})
        ->ArgsProduct({p.chat_receivers})
        ->Iterations(1)
        ->Repetitions(p.repetitions)
        ->UseManualTime()
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("reference/fork_exit_wait", ForkExitWait)
      ->MinTime(0.2)
      ->Repetitions(p.repetitions)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace
}  // namespace netref::bench

// Own flags (removed before Google Benchmark sees argv): --profile=quick|full|smoke,
// --variant=LABEL:DIR (repeatable) to run the netref servers found in DIR too, as MODEL@LABEL,
// and --repetitions=N (replaces the profile's count, 9 in the quick one: more repetitions narrow
// each ratio's interval, as the square root of the time measured).
int main(int argc, char** argv) {
  using namespace netref::bench;
  std::string profile = "quick";
  std::vector<std::pair<std::string, std::string>> variants;
  int repetitions = 0;  // 0: the profile's.
  std::vector<char*> args;
  const auto usage = [&] {
    std::fprintf(
        stderr,
        "usage: %s [--profile=quick|full|smoke] [--variant=LABEL:DIR]... [--repetitions=N] "
        "[benchmark flags]\n",
        argv[0]);
    return 2;
  };
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--profile=", 10) == 0) {
      profile = argv[i] + 10;
    } else if (std::strncmp(argv[i], "--repetitions=", 14) == 0) {
      char* end = nullptr;
      const long n = std::strtol(argv[i] + 14, &end, 10);
      if (end == argv[i] + 14 || *end != '\0' || n < 1 || n > 1000) {
        std::fprintf(stderr, "%s: --repetitions: '%s' is not 1..1000\n", argv[0], argv[i] + 14);
        return usage();
      }
      repetitions = static_cast<int>(n);
    } else if (std::strncmp(argv[i], "--variant=", 10) == 0) {
      const std::string value = argv[i] + 10;
      const std::size_t colon = value.find(':');
      if (colon == 0 || colon == std::string::npos || value[colon + 1] != '/') {
        std::fprintf(stderr, "%s: --variant: '%s' is not LABEL:/ABSOLUTE/DIR\n", argv[0],
                     value.c_str());
        return usage();
      }
      variants.emplace_back(value.substr(0, colon), value.substr(colon + 1));
    } else {
      args.push_back(argv[i]);
    }
  }
  if (profile == "full") {
    g_profile = FullProfile();
  } else if (profile == "smoke") {
    g_profile = SmokeProfile();
  } else if (profile != "quick") {
    std::fprintf(stderr, "%s: --profile: '%s' is not quick, full or smoke\n", argv[0],
                 profile.c_str());
    return usage();
  }
  if (repetitions > 0) g_profile.repetitions = repetitions;
  // The servers live beside this binary in bin/ (harness/support reads NETREF_BIN_DIR).
  char self[4096] = {};
  if (::readlink("/proc/self/exe", self, sizeof self - 1) > 0) {
    std::string dir(self);
    ::setenv("NETREF_BIN_DIR", dir.substr(0, dir.rfind('/')).c_str(), /*overwrite=*/0);
  }
  const std::string chat_path = netref::testing::BinPath("udp_chat_server");
  const bool with_chat = ::access(chat_path.c_str(), X_OK) == 0;
  SetUpModels(variants);

  utsname uts{};
  ::uname(&uts);
  benchmark::AddCustomContext("netref_profile", profile);
  benchmark::AddCustomContext("netref_build_type", NETREF_BUILD_TYPE);
  benchmark::AddCustomContext("netref_link", NETREF_LINK);
  // Read by make_report.py and ci/bench --compare: a benchmark's time is one operation's.
  benchmark::AddCustomContext("netref_time", "per_operation");
#ifdef __clang__
  benchmark::AddCustomContext("compiler", "clang++ " __clang_version__);
#else
  benchmark::AddCustomContext("compiler", "g++ " __VERSION__);
#endif
  benchmark::AddCustomContext("kernel", std::string(uts.sysname) + " " + uts.release);
  benchmark::AddCustomContext("online_cpus", std::to_string(::sysconf(_SC_NPROCESSORS_ONLN)));
  benchmark::AddCustomContext("run_ms", std::to_string(g_profile.run.count()));
  benchmark::AddCustomContext("chat_included",
                              with_chat ? "yes" : "no (udp_chat_server not built)");
  std::string variant_list;
  for (const auto& [label, dir] : variants) {
    variant_list += (variant_list.empty() ? "" : " ") + label + "=" + dir;
  }
  benchmark::AddCustomContext("netref_variants", variant_list.empty() ? "none" : variant_list);

  RegisterAll(with_chat);
  int new_argc = static_cast<int>(args.size());
  benchmark::Initialize(&new_argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(new_argc, args.data())) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // Loudly, once more at the end: a zombie or a server that did not stop fails the run.
  for (const std::string& failure : g_failures) {
    std::fprintf(stderr, "echo_benchmark: FAILED: %s\n", failure.c_str());
  }
  return g_failures.empty() ? 0 : 1;
}

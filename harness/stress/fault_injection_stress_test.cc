// fault_injection_stress_test.cc: tcp_echo_fork with real faults from the kernel (T3, T4).
//
// Out of fds (EMFILE) comes from lowering the running server's RLIMIT_NOFILE with prlimit(2),
// as `prlimit --pid PID --nofile=N` does, for a measured interval; fork failing with EAGAIN
// comes from strace's fault injection, with strace as the spawned program and the server as its
// child. glibc 2.36 (Debian 12) implements fork() with the clone syscall (checked with strace);
// clone3 is injected too, so a libc that switches to it still fails the same fork.
// Must not: signal or re-limit any process but the server it started.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "harness/stress/stress_common.h"
#include "harness/support/fd_faults.h"
#include "harness/support/proc_inspect.h"
#include "harness/support/subprocess.h"
#include "harness/support/tcp_peer.h"
#include "harness/support/traced_program.h"

namespace netref::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Whether a blocked system call is one that waits for events or time: where a server that does
// not spin spends a fault (poll with the back-off's timeout, or idle in its event wait).
bool IsAWait(long syscall) {
  for (long wait :
       {long{SYS_poll}, long{SYS_ppoll}, long{SYS_select}, long{SYS_pselect6}, long{SYS_epoll_wait},
        long{SYS_epoll_pwait}, long{SYS_nanosleep}, long{SYS_clock_nanosleep}}) {
    if (syscall == wait) return true;
  }
  return false;
}

// What process `pid` (the server, or one of its children) was doing over `interval`, sampled
// from /proc every few milliseconds while the server's pipes are kept drained (a server that
// logs each spin must not block on stderr instead).
struct Sampled {
  int samples = 0;
  int waiting = 0;  // Blocked in a wait (IsAWait).
  double cpu_seconds = 0;
  double waiting_share() const { return samples > 0 ? static_cast<double>(waiting) / samples : 0; }
};
Sampled SampleOver(Subprocess& server, milliseconds interval, pid_t pid = 0) {
  if (pid == 0) pid = server.pid();
  Sampled sampled;
  const double cpu_before = CpuSeconds(pid);
  const Deadline until = Deadline::In(interval);
  while (!until.expired()) {
    server.PumpNow();
    const std::optional<long> syscall = BlockedSyscall(pid);
    ++sampled.samples;
    if (syscall && IsAWait(*syscall)) ++sampled.waiting;
    ::usleep(5000);  // The sampling period, not a synchronisation.
  }
  sampled.cpu_seconds = CpuSeconds(pid) - cpu_before;
  return sampled;
}

// A server that does not spin is found blocked in a wait in nearly every sample, however slow
// the machine (a spinning one: in almost none, running or in accept and write instead). This
// is the server's state, so NETREF_TIME_SCALE has nothing to stretch; its CPU time is printed
// as a measure only.
constexpr double kMinWaitingShare = 0.9;

constexpr int kListenQueue = 5;  // T3: listen(srvSd, 5).

TEST(T3AcceptEmfile, WithTheReserveFdPendingClientsAreShedNotSpunOn) {
  // Claim: with its fd limit at the fd an accept would take, the server sheds each pending
  // connection through its reserve fd (20 clients read EOF, none hangs), then waits idle
  // through the rest of the fault instead of spinning (blocked in its event wait in 90% of
  // /proc samples over 1.5 s), and serves again, with its fd count as before, once the limit
  // is lifted.
  StartedServer server = StartServer("tcp_echo_fork");
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  const pid_t pid = server.process.pid();
  const int fds_at_start = OpenFdCount(pid);
  ASSERT_GT(fds_at_start, 0);
  // A limit at the fd an accept would take leaves no room for it, but closing the reserve
  // (a lower fd) makes room for exactly one.
  const int reserve = ReserveFd(pid);
  const int lowest_free = LowestFreeFd(pid);
  ASSERT_GT(reserve, 0);
  ASSERT_LT(reserve, lowest_free);
  const rlimit old = LimitFds(pid, lowest_free);

  // Rounds of 5 clients: the lecture's listen(5) holds them all, so each one is either shed or
  // left hanging by the server, never dropped by the kernel (an overflowed queue drops the
  // handshake's last ACK, and a client that sends nothing then hangs whatever the server does).
  int shed = 0;
  for (int round = 0; round < 4; ++round) {
    std::vector<TcpPeer> clients;
    for (int i = 0; i < kListenQueue; ++i) {
      std::optional<TcpPeer> peer = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
      ASSERT_TRUE(peer.has_value());
      clients.push_back(std::move(*peer));
    }
    for (TcpPeer& peer : clients) {
      const bool eof =
          peer.ReceiveToEof(Deadline::In(seconds(5))) == std::optional<std::string>("");
      EXPECT_TRUE(eof) << "a shed client must read EOF, not hang";
      shed += eof ? 1 : 0;
      server.process.PumpNow();
    }
  }
  const Sampled idle = SampleOver(server.process, milliseconds(1500));  // 1.5 s more of the fault.
  std::printf("[ measure ] EMFILE with reserve: %d clients shed; then waiting in %d of %d "
              "samples, %.3f CPU s over 1.5 s\n",
              shed, idle.waiting, idle.samples, idle.cpu_seconds);
  EXPECT_GE(idle.waiting_share(), kMinWaitingShare) << "the server spins after shedding";
  EXPECT_TRUE(IsAlive(pid));

  RestoreFds(pid, old);
  EXPECT_TRUE(StillAnswers(server.endpoint));
  EXPECT_TRUE(NoZombiesWithin(pid, milliseconds(1000)));
  EXPECT_TRUE(FdCountWithin(pid, fds_at_start, milliseconds(1000)));
  EXPECT_TRUE(StopsCleanly(server.process));
  const std::string errors = server.process.stderr_text();
  EXPECT_NE(errors.find("Too many open files: shed one connection"), std::string::npos) << errors;
}

TEST(T3AcceptEmfile, WhenEvenTheReserveIsGoneTheServerBacksOffAndResumes) {
  // Claim: with its fd limit below the fds it holds (the reserve cannot be reopened either), a
  // server with a client waiting in the backlog backs off instead of spinning (blocked in a
  // wait in 90% of /proc samples over 1.5 s), and once the limit is lifted it serves that same
  // client, then others, and its fd count (reserve included) is back to where it started.
  StartedServer server = StartServer("tcp_echo_fork");
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  const pid_t pid = server.process.pid();
  const int fds_at_start = OpenFdCount(pid);
  // Below the reserve's own number: even with the reserve closed, accept gets EMFILE, and so
  // does reopening the reserve.
  const int reserve = ReserveFd(pid);
  ASSERT_GT(reserve, 0);
  const rlimit old = LimitFds(pid, std::min(reserve, LowestFreeFd(pid)));

  std::optional<TcpPeer> waiting = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
  ASSERT_TRUE(waiting.has_value());
  const Sampled fault = SampleOver(server.process, milliseconds(1500));
  std::printf("[ measure ] EMFILE without reserve: waiting in %d of %d samples, %.3f CPU s "
              "over 1.5 s of fault\n",
              fault.waiting, fault.samples, fault.cpu_seconds);
  EXPECT_GE(fault.waiting_share(), kMinWaitingShare) << "the server spins on a failing accept";
  EXPECT_TRUE(IsAlive(pid));

  RestoreFds(pid, old);
  EXPECT_EQ(RoundTrip(*waiting, "waited", Deadline::In(seconds(10))),
            std::optional<std::string>("waited"))
      << "the client that waited through the fault is served once fds free up";
  waiting.reset();
  EXPECT_TRUE(StillAnswers(server.endpoint));
  EXPECT_TRUE(NoZombiesWithin(pid, milliseconds(1000)));
  EXPECT_TRUE(FdCountWithin(pid, fds_at_start, milliseconds(1000)))
      << "fds: " << OpenFdCount(pid) << " now, " << fds_at_start << " at start";
  EXPECT_TRUE(StopsCleanly(server.process));
}

TEST(T3AcceptEmfile, APreforkWorkerOutOfFdsWaitsSilentlyAndShedsEachQueuedClient) {
  // Claim: a pre-forked worker (it waits in accept on a blocking listener, and accept4 says
  // EMFILE before it looks for a client) whose fd limit leaves no room for a client, the
  // reserve still open: with no client queued it waits on the listener (blocked in a wait in
  // 90% of /proc samples over 1 s) and logs nothing; each of 5 clients that queue is shed (reads
  // EOF, a `shed one connection` line each); once the limit is lifted it serves again.
  StartedServer server = StartServer("tcp_echo_prefork", {"--workers", "1"});
  ASSERT_NE(server.endpoint.port, 0) << server.process.stderr_text();
  std::vector<ProcInfo> workers;
  ASSERT_TRUE(PollUntil(
      [&] {
        workers = ChildrenOf(server.process.pid());
        return workers.size() == 1 && BlockedSyscall(workers[0].pid) == long{SYS_accept4};
      },
      Deadline::In(seconds(5))));
  const pid_t worker = workers[0].pid;
  // The blocked accept4 already holds the lowest free fd (it takes one before it waits): the
  // limit there lets it finish with the first client, and no later accept finds room.
  const rlimit old = LimitFds(worker, LowestFreeFd(worker));
  EXPECT_TRUE(StillAnswers(server.endpoint)) << "the accept under way had its fd already";
  const Sampled idle = SampleOver(server.process, milliseconds(1000), worker);
  std::printf("[ measure ] prefork worker out of fds, no client: waiting in %d of %d samples, "
              "%.3f CPU s over 1 s\n",
              idle.waiting, idle.samples, idle.cpu_seconds);
  EXPECT_GE(idle.waiting_share(), kMinWaitingShare) << "the worker spins out of fds";
  EXPECT_EQ(server.process.stderr_text(), "") << "an idle worker out of fds logs";

  for (int i = 0; i < 5; ++i) {
    std::optional<TcpPeer> peer = TcpPeer::Connect(server.endpoint, Deadline::In(seconds(5)));
    ASSERT_TRUE(peer.has_value());
    EXPECT_EQ(peer->ReceiveToEof(Deadline::In(seconds(5))), std::optional<std::string>(""))
        << "a client queued while the worker has no fd must be shed, not left hanging";
    server.process.PumpNow();
  }
  RestoreFds(worker, old);
  EXPECT_TRUE(StillAnswers(server.endpoint));
  EXPECT_TRUE(StopsCleanly(server.process));
  const std::string errors = server.process.stderr_text();
  int shed = 0;
  for (std::size_t at = errors.find("shed one connection"); at != std::string::npos;
       at = errors.find("shed one connection", at + 1)) {
    ++shed;
  }
  EXPECT_EQ(shed, 5) << errors;
  EXPECT_EQ(errors.find("backing off"), std::string::npos) << errors;
}

TEST(T3ForkEagain, AFailedForkClosesThatClientOnlyAndTheServerGoesOn) {
  // Claim: when the server's 3rd fork fails with EAGAIN, the 3rd client is closed (reads EOF)
  // with a `fork: ... closing client` line on stderr, and the clients before and after it are
  // served; no zombie is left.
  // Under strace, which counts the server's own clones (its children make none). A failed
  // check anywhere below still ends the server: TracedProgram kills it by pid.
  TracedProgram traced = StartTracedServer(
      {"-e", "trace=clone,clone3", "-e", "inject=clone,clone3:error=EAGAIN:when=3"},
      "tcp_echo_fork");
  ASSERT_NE(traced.endpoint.port, 0) << traced.tracer.stderr_text();
  Subprocess& strace = traced.tracer;
  const core::Endpoint endpoint = traced.endpoint;
  const pid_t server = traced.program;

  for (int client = 1; client <= 5; ++client) {
    const Deadline deadline = Deadline::In(seconds(10));
    std::optional<TcpPeer> peer = TcpPeer::Connect(endpoint, deadline);
    ASSERT_TRUE(peer.has_value()) << "client " << client;
    if (client == 3) {
      // Its fork failed: the server closed it without a byte.
      EXPECT_EQ(peer->ReceiveToEof(deadline), std::optional<std::string>("")) << "client 3";
    } else {
      const std::string message = "client " + std::to_string(client);
      EXPECT_EQ(RoundTrip(*peer, message, deadline), std::optional<std::string>(message));
    }
  }
  EXPECT_TRUE(IsAlive(server));
  EXPECT_TRUE(NoZombiesWithin(server, milliseconds(2000)));
  const std::vector<std::string> errors = Lines(strace.stderr_text());
  ASSERT_EQ(errors.size(), 1u) << strace.stderr_text();
  EXPECT_NE(errors[0].find("fork: Resource temporarily unavailable: closing client 127.0.0.1:"),
            std::string::npos)
      << errors[0];
  // G5 through strace: SIGTERM to the server, which exits 0 and so does strace.
  ASSERT_EQ(::kill(server, SIGTERM), 0);
  std::optional<core::WaitStatus> status = strace.Wait(Deadline::In(seconds(10)));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ExitedWith(0)) << core::DescribeWaitStatus(*status);
}

}  // namespace
}  // namespace netref::testing

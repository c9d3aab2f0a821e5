// load_generator.h: the benchmark's one load generator, driving a real server over loopback.
//
// Every client socket is non-blocking and every one of them lives in one epoll loop in the
// calling process, so a single process drives 1..64 clients (or a stream of short connections)
// without threads and without forking. A run lasts a fixed time; what it counts is measured over
// that window only. Must not: fork, start threads, or touch anything but 127.0.0.0/8.
#ifndef NETREF_BENCH_LOAD_GENERATOR_H_
#define NETREF_BENCH_LOAD_GENERATOR_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "reference/core/ipv4.h"

namespace netref::bench {

// What one run measured.
struct LoadResult {
  std::uint64_t operations = 0;   // Round trips (sessions, chat) or whole connections (churn).
  std::uint64_t bytes = 0;        // Payload bytes echoed back (or datagrams' payload received).
  std::uint64_t errors = 0;       // Failed connects, resets, short or wrong echoes.
  double seconds = 0;             // The measured window.
  double generator_cpu = 0;       // This process's CPU seconds over the window (user + system).
  std::vector<std::uint64_t> per_client;   // Operations of each client (fairness).
  std::vector<std::uint32_t> latencies_ns;  // One per operation (capped; see kMaxSamples).
};

// The fixture's hooks into a run. `tick` is called about every 20 ms (the fixture drains the
// server's console and samples /proc there); `window_start` once, when the measured window
// begins (after the warm-up), and `window_end` once when it ends, before any client socket is
// closed (closing would end fork children, whose time then moves between /proc entries), so
// the fixture can snapshot the server's CPU over exactly the window.
struct Hooks {
  std::function<void()> tick;
  std::function<void()> window_start;
  std::function<void()> window_end;
};

// Sessions: `clients` persistent connections, each doing request/response round trips of
// `bytes` bytes (send all, read the whole echo back, again) for `duration`. Clients connect as
// real ones trickle in, not as one burst: at most 4 connected-but-not-yet-served clients at a
// time, so the lecture's small listen backlogs (2, 5) do not drop SYNs into the kernel's 1 s
// retransmit. The window starts once every client has been served once, or after `warm_up`;
// a client the server never serves (the iterative server's queue) completes nothing.
LoadResult RunSessions(const core::Endpoint& server, int clients, std::size_t bytes,
                       std::chrono::milliseconds warm_up, std::chrono::milliseconds duration,
                       const Hooks& hooks);

// Churn: `clients` concurrent slots, each repeating connect, one 64-byte round trip, close.
// Closes are orderly (the server sees EOF, as the lecture's clients do), so each connection
// leaves a TIME_WAIT on the client side: sources are spread over 127.0.0.2..127.0.0.17 with
// IP_BIND_ADDRESS_NO_PORT, and the kernel's loopback tcp_tw_reuse=2 recycles their ports.
LoadResult RunChurn(const core::Endpoint& server, int clients, std::chrono::milliseconds duration,
                    const Hooks& hooks);

// Chat: one sender and `receivers` listed receivers over UDP. Each receiver first sends one
// datagram (C2: a client is listed once it has sent); then the sender sends `bytes`-byte
// datagrams paced to keep at most `window` in flight per receiver, for `duration`. operations =
// payload datagrams delivered to receivers; errors = payloads sent times receivers, minus those
// delivered (loss, after a short drain).
LoadResult RunChat(const core::Endpoint& server, int receivers, std::size_t bytes,
                   std::chrono::milliseconds duration, const Hooks& hooks);

// The q-quantile (0..1) of `samples` in microseconds (reorders them); 0 when empty.
double QuantileMicros(std::vector<std::uint32_t>& samples, double q);

}  // namespace netref::bench

#endif  // NETREF_BENCH_LOAD_GENERATOR_H_

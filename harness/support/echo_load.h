// echo_load.h: a load driver for TCP echo servers: many clients at once from one thread, on
// non-blocking sockets and one poll loop.
//
// Each connection is one cycle: connect, send a message unique to the cycle (every byte value,
// NUL included), then either read the echo back and check it byte for byte, half-close and wait
// for the server's EOF (kEcho), or close without reading the echo once it starts to arrive
// (kSendAndAbandon, optionally with a reset). A cycle that fails after its first echo byte is
// counted, never retried; one that was never served may be reconnected (reconnects_per_cycle).
// The run is bounded by a cycle count and a deadline; between poll rounds a tick callback lets
// the test drain the server's output, sample /proc or send signals. Must not: fork, sleep, or
// use threads (the test process stays single-threaded so it may spawn), or touch any address
// but the server it is given.
#ifndef NETREF_HARNESS_SUPPORT_ECHO_LOAD_H_
#define NETREF_HARNESS_SUPPORT_ECHO_LOAD_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "reference/core/ipv4.h"

namespace netref::testing {

struct EchoLoadOptions {
  enum class Mode {
    kEcho,            // Send, read the exact echo, shutdown(SHUT_WR), read the server's EOF.
    kSendAndAbandon,  // Send every byte and half-close, wait until the echo starts to
                      // arrive, then close without reading it (the server's writes get EPIPE).
  };
  core::Endpoint server;
  Mode mode = Mode::kEcho;
  int cycles = 100;                // Connections to run in all.
  int concurrency = 16;            // At most this many open at once.
  std::size_t message_bytes = 64;  // Bytes sent per cycle (at least 8: the cycle's tag).
  bool reset_every_other = false;  // kSendAndAbandon: odd cycles close with SO_LINGER 0 (RST).
  // kEcho: at most this many cycles between connect() and their first echo byte (0: no limit).
  // A fork server with the lecture's listen(5) queues at most 6 completed-but-unaccepted
  // connections; beyond that Linux drops SYNs (the client retries after 1 s, 3 s, 7 s ...) and,
  // with syncookies, resets some clients. A value up to backlog + 1 keeps the queue from
  // overflowing, so a churn measures fork and reap rather than SYN retransmit timers.
  int max_pending = 0;
  // A cycle that fails before its first echo byte (connect refused or timed out, reset, EOF
  // with nothing) was never served: it is started again on a new socket, up to this many times.
  // 0: such a cycle simply fails. Counted in EchoLoadResult::reconnects.
  int reconnects_per_cycle = 0;
  // With reconnects: a cycle that has had no echo byte this long after connect() is abandoned
  // and started again, as a client with a connect timeout would (0: wait for the kernel). Under
  // a listen-queue overflow Linux answers SYNs with syncookies and then drops the handshake's
  // ACK: the client believes it is connected and waits out its retransmit timer, which doubles
  // up to minutes. A fresh connection is the client's only way to ask again sooner.
  std::chrono::milliseconds unanswered_timeout{0};
  // The whole run ends here, finished or not (scaled by NETREF_TIME_SCALE via Deadline::In).
  std::chrono::milliseconds time_limit{std::chrono::seconds(60)};
  // Called between poll rounds, at most every `tick_every` (and once at the end).
  std::function<void()> on_tick;
  std::chrono::milliseconds tick_every{5};
};

struct EchoLoadResult {
  int completed = 0;   // kEcho: exact echo and then EOF; kSendAndAbandon: sent, echo began.
  int failed = 0;      // Connect error, reset, early EOF, send error.
  int corrupted = 0;   // Echo bytes differ from those sent, or bytes after the echo.
  int unfinished = 0;  // Not done when the time limit came.
  int reconnects = 0;  // Cycles started again after failing before any echo byte.
  int peak_open = 0;   // Most client connections open at once.
  std::vector<std::string> failures;        // The first few failure reasons, for messages.
  double seconds = 0;                       // Wall time of the run.
  std::chrono::milliseconds slowest_cycle{0};  // Longest connect-to-done time of one cycle.
  bool all_completed(int cycles) const { return completed == cycles; }
  std::string Summary() const;
};

EchoLoadResult RunEchoLoad(const EchoLoadOptions& options);

// The bytes cycle `id` sends: a tag with the id, then a pattern covering all 256 byte values.
std::string EchoLoadMessage(int id, std::size_t bytes);

}  // namespace netref::testing

#endif  // NETREF_HARNESS_SUPPORT_ECHO_LOAD_H_

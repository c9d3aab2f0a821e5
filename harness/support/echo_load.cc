// echo_load.cc
#include "harness/support/echo_load.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "harness/support/deadline.h"

namespace netref::testing {
namespace {

using Clock = std::chrono::steady_clock;

enum class Stage { kConnecting, kSending, kReceiving, kDraining };

struct Cycle {
  int id = 0;
  int fd = -1;
  Stage stage = Stage::kConnecting;
  std::string message;
  std::size_t sent = 0;
  std::string received;
  Clock::time_point started;
  int attempts = 0;
};

constexpr std::size_t kMaxFailureNotes = 8;

}  // namespace

std::string EchoLoadMessage(int id, std::size_t bytes) {
  std::string message = "#" + std::to_string(id) + ":";
  // Every byte value appears (NUL included): an echo that stops at a NUL or mangles high bytes
  // shows up as corruption. The start shifts with the id so no two cycles send the same bytes.
  for (std::size_t i = 0; message.size() < std::max<std::size_t>(bytes, 8); ++i) {
    message.push_back(static_cast<char>((static_cast<std::size_t>(id) * 7 + i) & 0xffu));
  }
  message.resize(std::max<std::size_t>(bytes, 8));
  return message;
}

std::string EchoLoadResult::Summary() const {
  std::string text = "completed " + std::to_string(completed) + ", failed " +
                     std::to_string(failed) + ", corrupted " + std::to_string(corrupted) +
                     ", unfinished " + std::to_string(unfinished) + ", reconnects " +
                     std::to_string(reconnects) + ", peak open " + std::to_string(peak_open) +
                     " in " +
                     std::to_string(seconds) + " s (slowest cycle " +
                     std::to_string(slowest_cycle.count()) + " ms)";
  for (const std::string& failure : failures) text += "\n  " + failure;
  return text;
}

EchoLoadResult RunEchoLoad(const EchoLoadOptions& options) {
  EchoLoadResult result;
  const Deadline deadline = Deadline::In(options.time_limit);
  const Clock::time_point start = Clock::now();
  Clock::time_point last_tick = start;
  std::vector<std::unique_ptr<Cycle>> open;
  std::map<int, int> restart_attempts;  // Id -> attempts so far, for cycles in to_restart.
  int next_id = 0;
  const sockaddr_in address = [&] {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(options.server.port);
    a.sin_addr.s_addr = htonl(options.server.address.value);
    return a;
  }();

  const auto note = [&](const Cycle& cycle, const std::string& what) {
    if (result.failures.size() < kMaxFailureNotes) {
      result.failures.push_back("cycle " + std::to_string(cycle.id) + ": " + what);
    }
  };
  std::vector<int> to_restart;  // Ids of cycles to start again (never served).
  const auto fail = [&](Cycle& cycle, const std::string& what, int err) {
    ::close(cycle.fd);
    cycle.fd = -1;
    if (options.mode == EchoLoadOptions::Mode::kEcho && cycle.received.empty() &&
        cycle.attempts < options.reconnects_per_cycle) {
      ++result.reconnects;
      to_restart.push_back(cycle.id);
      restart_attempts[cycle.id] = cycle.attempts + 1;
      return;
    }
    ++result.failed;
    note(cycle, what + (err != 0 ? std::string(": ") + std::strerror(err) : std::string()));
  };
  const auto finish = [&](Cycle& cycle) {
    ++result.completed;
    result.slowest_cycle = std::max(result.slowest_cycle,
                                    std::chrono::duration_cast<std::chrono::milliseconds>(
                                        Clock::now() - cycle.started));
    ::close(cycle.fd);
    cycle.fd = -1;
  };

  // Sends what the kernel takes now; moves on when all is sent.
  const auto send_some = [&](Cycle& cycle) {
    while (cycle.sent < cycle.message.size()) {
      const ssize_t n = ::send(cycle.fd, cycle.message.data() + cycle.sent,
                               cycle.message.size() - cycle.sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      if (n < 0) return fail(cycle, "send", errno);
      cycle.sent += static_cast<std::size_t>(n);
    }
    if (options.mode == EchoLoadOptions::Mode::kSendAndAbandon) {
      // FIN first: the server's socket goes to CLOSE_WAIT, where the reset that our close()
      // brings makes its next write fail with EPIPE, the error that comes with SIGPIPE (in
      // ESTABLISHED a reset gives ECONNRESET, which raises no signal).
      ::shutdown(cycle.fd, SHUT_WR);
    }
    cycle.stage = Stage::kReceiving;
  };

  // Starts cycle `id` (a new one when id < 0).
  const auto start_cycle = [&](int id) {
    auto cycle = std::make_unique<Cycle>();
    cycle->id = id >= 0 ? id : next_id++;
    if (id >= 0) {
      cycle->attempts = restart_attempts[id];
      restart_attempts.erase(id);
    }
    cycle->message = EchoLoadMessage(cycle->id, options.message_bytes);
    cycle->started = Clock::now();
    cycle->fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (cycle->fd < 0) return fail(*cycle, "socket", errno);
    if (::connect(cycle->fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
      cycle->stage = Stage::kSending;
      send_some(*cycle);
    } else if (errno != EINPROGRESS) {
      return fail(*cycle, "connect", errno);
    }
    if (cycle->fd >= 0) open.push_back(std::move(cycle));
  };

  const auto on_ready = [&](Cycle& cycle, short revents) {
    switch (cycle.stage) {
      case Stage::kConnecting: {
        int err = 0;
        socklen_t length = sizeof err;
        ::getsockopt(cycle.fd, SOL_SOCKET, SO_ERROR, &err, &length);
        if (err != 0) return fail(cycle, "connect", err);
        if ((revents & POLLOUT) == 0) return;
        cycle.stage = Stage::kSending;
        return send_some(cycle);
      }
      case Stage::kSending:
        return send_some(cycle);
      case Stage::kReceiving:
      case Stage::kDraining: {
        if (options.mode == EchoLoadOptions::Mode::kSendAndAbandon) {
          // The echo has begun to arrive (the server accepted and its child writes): close
          // without reading it. Unread data makes close() send RST, so the child's next write
          // fails with EPIPE, where SIGPIPE would kill an unprotected child.
          if (options.reset_every_other && cycle.id % 2 == 1) {
            const linger abort_on_close{1, 0};  // close() sends RST even with nothing unread.
            ::setsockopt(cycle.fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
          }
          return finish(cycle);
        }
        char buffer[65536];
        while (cycle.fd >= 0) {
          const ssize_t n = ::recv(cycle.fd, buffer, sizeof buffer, 0);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0 && errno == EAGAIN) return;
          if (n < 0) return fail(cycle, "recv", errno);
          if (n == 0) {
            if (cycle.stage == Stage::kDraining) return finish(cycle);
            return fail(cycle, "EOF after " + std::to_string(cycle.received.size()) + " of " +
                                   std::to_string(cycle.message.size()) + " echo bytes",
                        0);
          }
          if (cycle.stage == Stage::kDraining) {
            ++result.corrupted;
            note(cycle, "bytes after the echo");
            ::close(cycle.fd);
            cycle.fd = -1;
            return;
          }
          cycle.received.append(buffer, static_cast<std::size_t>(n));
          if (cycle.received.size() > cycle.message.size() ||
              cycle.message.compare(0, cycle.received.size(), cycle.received) != 0) {
            ++result.corrupted;
            note(cycle, "echo differs from what was sent");
            ::close(cycle.fd);
            cycle.fd = -1;
            return;
          }
          if (cycle.received.size() == cycle.message.size()) {
            ::shutdown(cycle.fd, SHUT_WR);  // The server reads EOF, ends the session, closes.
            cycle.stage = Stage::kDraining;
          }
        }
        return;
      }
    }
  };

  // Cycles between connect() and their first echo byte (see max_pending).
  const auto pending = [&] {
    return static_cast<int>(std::count_if(open.begin(), open.end(), [](const auto& c) {
      return c->fd >= 0 && c->received.empty() && c->stage != Stage::kDraining;
    }));
  };
  std::vector<pollfd> fds;
  while (true) {
    int pending_now = options.max_pending > 0 ? pending() : 0;
    while ((!to_restart.empty() || next_id < options.cycles) &&
           static_cast<int>(open.size()) < options.concurrency &&
           (options.max_pending <= 0 || pending_now < options.max_pending)) {
      if (!to_restart.empty()) {
        const int id = to_restart.back();
        to_restart.pop_back();
        start_cycle(id);
      } else {
        start_cycle(-1);
      }
      ++pending_now;
    }
    result.peak_open = std::max(result.peak_open, static_cast<int>(open.size()));
    if (open.empty() && to_restart.empty() && next_id >= options.cycles) break;
    if (deadline.expired()) break;
    fds.clear();
    for (const auto& cycle : open) {
      const short events =
          cycle->stage == Stage::kConnecting || cycle->stage == Stage::kSending ? POLLOUT : POLLIN;
      fds.push_back({cycle->fd, events, 0});
    }
    const int timeout = std::min<int>(deadline.remaining_ms(),
                                      static_cast<int>(options.tick_every.count()) + 1);
    const int ready = ::poll(fds.data(), fds.size(), timeout);
    if (ready > 0) {
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents != 0) on_ready(*open[i], fds[i].revents);
      }
      open.erase(std::remove_if(open.begin(), open.end(),
                                [](const std::unique_ptr<Cycle>& c) { return c->fd < 0; }),
                 open.end());
    }
    if (options.unanswered_timeout.count() > 0) {
      const Clock::time_point now = Clock::now();
      for (const auto& cycle : open) {
        if (cycle->fd >= 0 && cycle->received.empty() && cycle->stage != Stage::kDraining &&
            now - cycle->started >= options.unanswered_timeout) {
          fail(*cycle, "no echo within the unanswered timeout", 0);
        }
      }
      open.erase(std::remove_if(open.begin(), open.end(),
                                [](const std::unique_ptr<Cycle>& c) { return c->fd < 0; }),
                 open.end());
    }
    if (options.on_tick && Clock::now() - last_tick >= options.tick_every) {
      options.on_tick();
      last_tick = Clock::now();
    }
  }
  for (const auto& cycle : open) {
    ++result.unfinished;
    note(*cycle, "unfinished at the time limit");
    ::close(cycle->fd);
  }
  result.unfinished += options.cycles - next_id;  // Never started.
  result.unfinished += static_cast<int>(to_restart.size());
  if (options.on_tick) options.on_tick();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace netref::testing

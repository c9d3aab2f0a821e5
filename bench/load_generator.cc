// load_generator.cc: one epoll loop, many non-blocking client sockets (see the header).
#include "bench/load_generator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace netref::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Latency samples kept per run: enough for stable p99s, bounded memory on fast runs.
constexpr std::size_t kMaxSamples = 1 << 20;
constexpr auto kTickEvery = std::chrono::milliseconds(20);

sockaddr_in ToSockaddr(const core::Endpoint& endpoint) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(endpoint.address.value);
  address.sin_port = htons(endpoint.port);
  return address;
}

double CpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::uint32_t NanosSince(Clock::time_point start, Clock::time_point now) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now - start).count();
  return static_cast<std::uint32_t>(std::min<long long>(ns, 0xffffffffLL));
}

// A non-blocking TCP socket with a connect in progress to `server`, or -1. `source` (host
// order, 0 = any) picks the local address; the port is chosen at connect time.
int StartConnect(const core::Endpoint& server, std::uint32_t source) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  // Request/response: a small request must leave at once, not wait for Nagle.
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (source != 0) {
    // Defer the port choice to connect, where the full 4-tuple is known, so TIME_WAIT ports
    // toward the server can be reused (tcp_tw_reuse) instead of exhausting the range.
    ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    sockaddr_in local = ToSockaddr(core::Endpoint{core::Ipv4Address{source}, 0});
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd);
      return -1;
    }
  }
  const sockaddr_in remote = ToSockaddr(server);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&remote), sizeof remote) != 0 &&
      errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One TCP client of a sessions or churn run.
struct Client {
  int fd = -1;
  bool connected = false;
  std::size_t sent = 0;
  std::size_t received = 0;
  std::uint32_t interest = 0;
  Clock::time_point started;  // Of the current round trip (churn: of the connection).
  std::uint64_t completed = 0;
};

class Loop {
 public:
  Loop() : epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}
  ~Loop() { ::close(epoll_); }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  void Watch(int fd, std::uint32_t events, std::uint64_t tag, bool added) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = tag;
    ::epoll_ctl(epoll_, added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
  }
  int Wait(epoll_event* events, int max, int timeout_ms) {
    const int n = ::epoll_wait(epoll_, events, max, timeout_ms);
    return n < 0 ? 0 : n;  // EINTR: nothing this time.
  }

 private:
  int epoll_;
};

// The request/response state machine shared by sessions and churn. Sends `payload`, reads the
// same number of bytes back; returns +1 when a round trip completed, 0 to wait, -1 on error.
int Advance(Client& client, const std::string& payload, std::uint32_t events, char* scratch,
            std::size_t scratch_size) {
  if (!client.connected) {
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return 0;
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(client.fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return -1;
    client.connected = true;
  }
  while (client.sent < payload.size()) {
    const ssize_t n = ::send(client.fd, payload.data() + client.sent, payload.size() - client.sent,
                             MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) return errno == EINTR ? 0 : -1;
    client.sent += static_cast<std::size_t>(n);
  }
  // Read whatever the echo has brought so far (the server may echo while we still send).
  while (client.received < client.sent) {
    const ssize_t n = ::recv(client.fd, scratch, scratch_size, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) return (n < 0 && errno == EINTR) ? 0 : -1;  // EOF or reset mid-echo.
    client.received += static_cast<std::size_t>(n);
    // Acknowledge at once. A server without TCP_NODELAY (the minimal C limit server, like the
    // lecture's) echoes a long message in 8191-byte writes that Nagle holds until the earlier one
    // is acknowledged; a client that delays its ACK (40 ms) would measure that timer, not the
    // server. TCP_QUICKACK is not sticky: it is set again after every read.
    const int one = 1;
    ::setsockopt(client.fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  }
  if (client.received > payload.size()) return -1;  // More than we sent: not an echo.
  return client.received == payload.size() ? 1 : 0;
}

std::uint32_t WantedInterest(const Client& client, std::size_t size) {
  if (!client.connected || client.sent < size) return EPOLLIN | EPOLLOUT;
  return EPOLLIN;
}

void Rearm(Loop& loop, Client& client, std::size_t size, std::uint64_t tag) {
  const std::uint32_t wanted = WantedInterest(client, size);
  if (wanted == client.interest) return;
  loop.Watch(client.fd, wanted, tag, client.interest != 0);
  client.interest = wanted;
}

void Record(LoadResult& result, Clock::time_point started, Clock::time_point now) {
  if (result.latencies_ns.size() < kMaxSamples) {
    result.latencies_ns.push_back(NanosSince(started, now));
  }
}

}  // namespace

LoadResult RunSessions(const core::Endpoint& server, int clients, std::size_t bytes,
                       std::chrono::milliseconds warm_up, std::chrono::milliseconds duration,
                       const Hooks& hooks) {
  constexpr int kMaxUnserved = 4;  // Below the fork server's backlog of 5.
  LoadResult result;
  Loop loop;
  const std::string payload(bytes, 'e');
  std::vector<Client> pool(static_cast<std::size_t>(clients));
  std::vector<bool> served(pool.size(), false);
  std::size_t opened = 0;
  int unserved = 0;
  std::size_t served_count = 0;
  std::vector<char> scratch(256 * 1024);
  double cpu_start = CpuSeconds();
  Clock::time_point start = Clock::now();
  Clock::time_point end = start + warm_up + duration;  // Until the window starts.
  const Clock::time_point warm_end = start + warm_up;
  bool measuring = false;
  Clock::time_point next_tick = start + kTickEvery;
  epoll_event events[128];
  for (Clock::time_point now = start; now < end;) {
    while (opened < pool.size() && unserved < kMaxUnserved) {
      Client& client = pool[opened];
      client.fd = StartConnect(server, 0);
      client.started = Clock::now();
      if (client.fd < 0) {
        ++result.errors;
      } else {
        ++unserved;
        Rearm(loop, client, bytes, opened);
      }
      ++opened;
    }
    if (!measuring && (served_count == pool.size() || now >= warm_end)) {
      // The measured window starts: what the warm-up did is not counted.
      measuring = true;
      start = now;
      end = now + duration;
      for (Client& client : pool) client.completed = 0;
      result.latencies_ns.clear();
      cpu_start = CpuSeconds();
      if (hooks.window_start) hooks.window_start();
    }
    const int n = loop.Wait(events, 128, 5);
    now = Clock::now();
    for (int e = 0; e < n; ++e) {
      const std::size_t i = events[e].data.u64;
      Client& client = pool[i];
      if (client.fd < 0) continue;
      int step = Advance(client, payload, events[e].events, scratch.data(), scratch.size());
      // The next round trip starts at once; its echo may already be back by the time the send
      // returns, so keep going until one has to wait.
      while (step > 0 && now < end) {
        if (!served[i]) {
          served[i] = true;
          ++served_count;
          --unserved;
        }
        ++client.completed;
        Record(result, client.started, now);
        client.sent = client.received = 0;
        client.started = now;
        step = Advance(client, payload, 0, scratch.data(), scratch.size());
        if (step > 0) now = Clock::now();
      }
      if (step < 0) {
        ++result.errors;
        if (!served[i]) --unserved;
        ::close(client.fd);
        client.fd = -1;
        continue;
      }
      Rearm(loop, client, bytes, i);
    }
    if (now >= next_tick) {
      if (hooks.tick) hooks.tick();
      next_tick = now + kTickEvery;
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (hooks.window_end) hooks.window_end();
  result.generator_cpu = CpuSeconds() - cpu_start;
  for (Client& client : pool) {
    if (client.fd >= 0) ::close(client.fd);
    result.per_client.push_back(client.completed);
    result.operations += client.completed;
  }
  result.bytes = result.operations * bytes;
  return result;
}

LoadResult RunChurn(const core::Endpoint& server, int clients, std::chrono::milliseconds duration,
                    const Hooks& hooks) {
  constexpr std::size_t kBytes = 64;
  constexpr std::uint32_t kSources = 16;  // 127.0.0.2 .. 127.0.0.17
  LoadResult result;
  Loop loop;
  const std::string payload(kBytes, 'c');
  std::vector<Client> pool(static_cast<std::size_t>(clients));
  std::vector<char> scratch(4096);
  std::uint32_t next_source = 0;
  const auto open = [&](std::size_t i) {
    Client& client = pool[i];
    client = Client{};
    client.completed = 0;
    client.started = Clock::now();  // A churn latency is the whole connection, connect included.
    client.fd = StartConnect(server, core::kLoopbackAddress.value + 1 + (next_source++ % kSources));
    if (client.fd < 0) return false;
    Rearm(loop, client, kBytes, i);
    return true;
  };
  std::vector<std::uint64_t> per_slot(pool.size(), 0);
  if (hooks.window_start) hooks.window_start();
  const double cpu_start = CpuSeconds();
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + duration;
  Clock::time_point next_tick = start + kTickEvery;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    if (!open(i)) ++result.errors;
  }
  epoll_event events[128];
  for (Clock::time_point now = start; now < end;) {
    const int n = loop.Wait(events, 128, 5);
    now = Clock::now();
    for (int e = 0; e < n; ++e) {
      const std::size_t i = events[e].data.u64;
      Client& client = pool[i];
      if (client.fd < 0) continue;
      const int step = Advance(client, payload, events[e].events, scratch.data(), scratch.size());
      if (step == 0) {
        Rearm(loop, client, kBytes, i);
        continue;
      }
      // Done or failed: an orderly close (closing the fd also leaves the epoll set).
      ::close(client.fd);
      client.fd = -1;
      if (step < 0) {
        ++result.errors;
      } else if (now < end) {
        ++per_slot[i];
        Record(result, client.started, now);
      }
      if (now < end && !open(i)) ++result.errors;
    }
    // A slot whose socket could not be opened tries again on the next pass.
    for (std::size_t i = 0; i < pool.size() && now < end; ++i) {
      if (pool[i].fd < 0 && !open(i)) ++result.errors;
    }
    if (now >= next_tick) {
      if (hooks.tick) hooks.tick();
      next_tick = now + kTickEvery;
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (hooks.window_end) hooks.window_end();
  result.generator_cpu = CpuSeconds() - cpu_start;
  for (std::size_t i = 0; i < pool.size(); ++i) {
    if (pool[i].fd >= 0) ::close(pool[i].fd);
    result.per_client.push_back(per_slot[i]);
    result.operations += per_slot[i];
  }
  result.bytes = result.operations * kBytes;
  return result;
}

LoadResult RunChat(const core::Endpoint& server, int receivers, std::size_t bytes,
                   std::chrono::milliseconds duration, const Hooks& hooks) {
  constexpr std::uint64_t kWindow = 32;  // Payloads in flight ahead of the fastest receiver.
  LoadResult result;
  Loop loop;
  const sockaddr_in remote = ToSockaddr(server);
  const auto open_udp = [&]() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) ::connect(fd, reinterpret_cast<const sockaddr*>(&remote), sizeof remote);
    return fd;
  };
  std::vector<int> fds;
  for (int i = 0; i < receivers; ++i) {
    const int fd = open_udp();
    if (fd < 0) return result;
    fds.push_back(fd);
    ::send(fd, "join\n", 5, 0);  // C2: listed once it has sent one datagram.
    loop.Watch(fd, EPOLLIN, static_cast<std::uint64_t>(i), false);
  }
  const int sender = open_udp();
  std::vector<char> scratch(65536);
  std::vector<std::uint64_t> got(fds.size(), 0);
  // Let the joins be relayed and throw those relays away.
  ::usleep(50000);
  for (int fd : fds) {
    while (::recv(fd, scratch.data(), scratch.size(), 0) >= 0) {
    }
  }
  const std::string payload(bytes, 'm');  // Never ends in ">> ", so never taken for a header.
  const auto is_header = [](const char* data, ssize_t n) {
    return n >= 3 && std::memcmp(data + n - 3, ">> ", 3) == 0;
  };
  const auto drain = [&](const epoll_event* events, int n) {
    for (int e = 0; e < n; ++e) {
      const std::size_t i = events[e].data.u64;
      ssize_t got_bytes;
      while ((got_bytes = ::recv(fds[i], scratch.data(), scratch.size(), 0)) >= 0) {
        if (is_header(scratch.data(), got_bytes)) continue;
        ++got[i];
        result.bytes += static_cast<std::uint64_t>(got_bytes);
      }
    }
  };
  std::uint64_t sent = 0;
  if (hooks.window_start) hooks.window_start();
  const double cpu_start = CpuSeconds();
  const Clock::time_point start = Clock::now();
  const Clock::time_point end = start + duration;
  Clock::time_point next_tick = start + kTickEvery;
  epoll_event events[64];
  for (Clock::time_point now = start; now < end; now = Clock::now()) {
    const std::uint64_t fastest = *std::max_element(got.begin(), got.end());
    while (sent < fastest + kWindow) {
      if (::send(sender, payload.data(), payload.size(), 0) < 0) break;
      ++sent;
    }
    drain(events, loop.Wait(events, 64, 1));
    if (now >= next_tick) {
      if (hooks.tick) hooks.tick();
      next_tick = now + kTickEvery;
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (hooks.window_end) hooks.window_end();
  // A short drain: what is still in flight is late, not lost.
  const Clock::time_point drain_end = Clock::now() + std::chrono::milliseconds(100);
  while (Clock::now() < drain_end) drain(events, loop.Wait(events, 64, 10));
  result.generator_cpu = CpuSeconds() - cpu_start;
  for (std::size_t i = 0; i < fds.size(); ++i) {
    ::close(fds[i]);
    result.per_client.push_back(got[i]);
    result.operations += got[i];
  }
  ::close(sender);
  const std::uint64_t expected = sent * fds.size();
  result.errors = expected > result.operations ? expected - result.operations : 0;
  return result;
}

double QuantileMicros(std::vector<std::uint32_t>& samples, double q) {
  if (samples.empty()) return 0;
  const auto rank = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1));
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank),
                   samples.end());
  return samples[rank] / 1e3;
}

}  // namespace netref::bench

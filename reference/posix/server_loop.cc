// server_loop.cc
#include "reference/posix/server_loop.h"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>

#include "reference/posix/console.h"
#include "reference/posix/errno_status.h"

namespace netref::posix {
namespace {

constexpr int kMaxEvents = 64;

}  // namespace

absl::StatusOr<ServerLoop> ServerLoop::Create(SignalBridge* signals, Acceptor* acceptor,
                                              Options options) {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid()) return ErrnoError(errno, "epoll_create1");
  ServerLoop loop(std::move(epoll), signals, acceptor, options);
  if (signals != nullptr) {
    if (absl::Status watched = loop.Watch(signals->wake_fd(), EPOLLIN); !watched.ok()) {
      return watched;
    }
  }
  return loop;
}

absl::Status ServerLoop::Control(int op, int fd, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  if (::epoll_ctl(epoll_.get(), op, fd, &event) != 0) return ErrnoError(errno, "epoll_ctl");
  return absl::OkStatus();
}

absl::Status ServerLoop::Watch(int fd, std::uint32_t events) {
  return Control(EPOLL_CTL_ADD, fd, events);
}

absl::Status ServerLoop::Rewatch(int fd, std::uint32_t events) {
  return Control(EPOLL_CTL_MOD, fd, events);
}

// In or out of the set, not EPOLL_CTL_MOD to no events: the set then reports nothing for it.
absl::Status ServerLoop::ArmListener(bool armed) {
  if (armed == listener_armed_) return absl::OkStatus();
  absl::Status done = armed ? Control(EPOLL_CTL_ADD, acceptor_->fd(), EPOLLIN)
                            : Control(EPOLL_CTL_DEL, acceptor_->fd(), 0);
  if (done.ok()) listener_armed_ = armed;
  return done;
}

bool ServerLoop::Accepting(Clock::time_point now) const {
  const bool room = options_.max_in_service == 0 || in_service_ < options_.max_in_service;
  const bool stopping = signals_ != nullptr && signals_->stop_requested();
  return acceptor_ != nullptr && acceptor_->fd() >= 0 && !stopped_ && now >= back_off_until_ &&
         room && !stopping;
}

absl::StatusOr<SignalCounts> ServerLoop::Turn(const Handlers& handlers,
                                              std::optional<Clock::time_point> until) {
  const Clock::time_point now = Clock::now();
  if (options_.accept_before_waiting && accepted_last_turn_ && Accepting(now)) {
    // The listener is non-blocking: nothing queued costs one accept that says EAGAIN (and a
    // back-off it asks for starts after `now`, so the lines below see it).
    if (absl::Status accepted = AcceptSome(handlers); !accepted.ok()) return accepted;
    if (accepted_last_turn_) return SignalCounts();
  }
  if (options_.wait_in_accept && !awaiting_client_ && Accepting(now)) {
    Console::Flush();  // accept is this loop's wait.
    if (absl::Status accepted = AcceptSome(handlers); !accepted.ok()) return accepted;
    return SignalCounts();
  }
  const bool backing_off = now < back_off_until_;
  const bool accepting = Accepting(now);
  if (absl::Status armed = ArmListener(accepting); !armed.ok()) return armed;

  // The wait ends by the earliest deadline: the back-off's (only the deadline re-arms the
  // listener, so nothing else may end the back-off early or extend it) and the caller's.
  std::optional<Clock::time_point> deadline;
  if (acceptor_ != nullptr && backing_off) deadline = back_off_until_;
  if (until && (!deadline || *until < *deadline)) deadline = until;
  int timeout_ms = -1;
  if (deadline) {
    // Rounded up: a timeout rounded down to 0 just before the deadline would spin.
    timeout_ms = static_cast<int>(std::max<std::int64_t>(
        0, std::chrono::ceil<std::chrono::milliseconds>(*deadline - now).count()));
  }
  Console::Flush();  // Every line printed so far is out before the wait.
  epoll_event events[kMaxEvents];
  int n = ::epoll_wait(epoll_.get(), events, kMaxEvents, timeout_ms);
  // EINTR: a handler ran (epoll_wait never resumes after one): look at the signals now.
  bool woken = n < 0;
  if (n < 0 && errno != EINTR) return ErrnoError(errno, "epoll_wait");
  if (n < 0) n = 0;

  bool client_waiting = false;
  ready_.clear();
  for (int i = 0; i < n; ++i) {
    const int fd = events[i].data.fd;
    if (signals_ != nullptr && fd == signals_->wake_fd()) {
      woken = true;
    } else if (listener_armed_ && fd == acceptor_->fd()) {
      client_waiting = true;
    } else {
      ready_.push_back({fd, events[i].events});
    }
  }
  SignalCounts signals;
  if (woken && signals_ != nullptr) signals = signals_->Take();
  if (signals.stop()) return signals;  // The caller stops: nothing more is accepted or read.
  if (client_waiting) {
    if (absl::Status accepted = AcceptSome(handlers); !accepted.ok()) return accepted;
  }
  for (const Ready& ready : ready_) {
    if (handlers.on_ready) handlers.on_ready(ready.fd, ready.events);
  }
  return signals;
}

absl::Status ServerLoop::AcceptSome(const Handlers& handlers) {
  accepted_last_turn_ = false;
  for (std::size_t i = 0; i < options_.accept_batch; ++i) {
    // B2: re-checked before each accept, as each one adds a client in service.
    if (options_.max_in_service != 0 && in_service_ >= options_.max_in_service) break;
    if (signals_ != nullptr && signals_->stop_requested()) break;
    absl::StatusOr<AcceptOutcome> accepted = acceptor_->Accept();
    if (!accepted.ok()) return accepted.status();
    switch (accepted->kind) {
      case AcceptOutcome::Kind::kNothing:
        return absl::OkStatus();
      case AcceptOutcome::Kind::kNoRoom:  // Wait in epoll until a client is queued.
        awaiting_client_ = true;
        return absl::OkStatus();
      case AcceptOutcome::Kind::kShed:  // Logged by the Acceptor; the next one may succeed.
        awaiting_client_ = false;
        continue;
      case AcceptOutcome::Kind::kBackOff:  // Logged by the Acceptor; see the header.
        back_off_until_ = Clock::now() + kBackOff;
        return absl::OkStatus();
      case AcceptOutcome::Kind::kAccepted:
        ++in_service_;
        accepted_last_turn_ = true;
        awaiting_client_ = false;
        if (handlers.on_client) handlers.on_client(*accepted);
        break;
    }
  }
  return absl::OkStatus();
}

void ServerLoop::StopAccepting() {
  Console::Flush();  // The shutdown's own waits (the children's grace) follow.
  if (acceptor_ == nullptr || stopped_) return;
  (void)ArmListener(false);
  stopped_ = true;
  acceptor_->StopListening();
}

void ServerLoop::CloseInChild() {
  epoll_.reset();
  listener_armed_ = false;
  if (acceptor_ != nullptr) acceptor_->CloseInChild();
}

}  // namespace netref::posix

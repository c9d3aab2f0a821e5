// acceptor.cc: the accept-errno table.
#include "reference/posix/acceptor.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "reference/posix/console.h"
#include "reference/posix/eintr.h"
#include "reference/posix/errno_status.h"
#include "reference/posix/fd_io.h"
#include "reference/posix/inet_socket.h"

namespace netref::posix {
namespace {

UniqueFd OpenReserve() { return UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)); }

bool ClientQueued(int listener) {
  pollfd entry{listener, POLLIN, 0};
  return RetryOnEintr([&] { return ::poll(&entry, 1, 0); }) == 1 && (entry.revents & POLLIN) != 0;
}

}  // namespace

absl::StatusOr<Acceptor> Acceptor::Create(UniqueFd listener, ClientSockets clients,
                                          ListenerWaits waits) {
  if (absl::Status status = SetNonBlocking(listener.get(), waits == ListenerWaits::kInEpoll);
      !status.ok()) {
    return status;
  }
  UniqueFd reserve = OpenReserve();
  if (!reserve.valid()) return ErrnoError(errno, "open /dev/null");
  return Acceptor(std::move(listener), std::move(reserve),
                  SOCK_CLOEXEC | (clients == ClientSockets::kNonBlocking ? SOCK_NONBLOCK : 0),
                  waits);
}

absl::StatusOr<AcceptOutcome> Acceptor::Accept() {
  // A reserve lost in an earlier EMFILE (reopening it failed as well) is taken back first, so
  // the next EMFILE can shed again and the fd count returns to normal once fds are free.
  // (Fix found by the EMFILE stress test: the reserve used to stay lost.)
  if (!reserve_.valid()) reserve_ = OpenReserve();
  AcceptOutcome outcome;
  sockaddr_in address{};
  socklen_t length = sizeof address;
  const int fd = RetryOnEintr([&] {
    length = sizeof address;
    return ::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length,
                     accept_flags_);
  });
  if (fd >= 0) {
    outcome.kind = AcceptOutcome::Kind::kAccepted;
    outcome.client.reset(fd);
    // An echo over 8191 bytes goes out in several writes; with Nagle on, each later write waits
    // for the ACK of the one before, which the client delays: 16 KiB round trips fell to ~20/s.
    const int on = 1;
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    outcome.peer = FromSockaddr(address);
    return outcome;
  }
  const int err = errno;
  switch (err) {
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
      outcome.kind = AcceptOutcome::Kind::kNothing;
      return outcome;
    case EMFILE:
    case ENFILE: {
      // accept4 says EMFILE before it looks for a client. On a blocking listener with none
      // queued there is nobody to shed (and a shedding accept would wait for one): the loop
      // waits in epoll until one is (another worker may still take it first; this accept then
      // waits for the next, to shed it, which is what it is for).
      if (waits_ == ListenerWaits::kInAccept && !ClientQueued(listener_.get())) {
        outcome.kind = AcceptOutcome::Kind::kNoRoom;
        return outcome;
      }
      // Give up the reserve fd, take the connection that is waiting and close it: the client
      // sees EOF instead of hanging in the backlog, and poll stops reporting it ready.
      reserve_.reset();
      UniqueFd shed(
          RetryOnEintr([&] { return ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC); }));
      const bool shed_one = shed.valid();
      shed.reset();  // Closed before the reserve is reopened: it holds the reserve's fd slot.
      reserve_ = OpenReserve();
      outcome.kind = shed_one ? AcceptOutcome::Kind::kShed : AcceptOutcome::Kind::kBackOff;
      Console::Error(absl::StrCat(MessageOf(ErrnoError(err, "accept")),
                                  shed_one ? ": shed one connection" : ": backing off"));
      return outcome;
    }
    case ENOBUFS:
    case ENOMEM:
    case EPERM:
      outcome.kind = AcceptOutcome::Kind::kBackOff;
      Console::Error(absl::StrCat(MessageOf(ErrnoError(err, "accept")), ": backing off"));
      return outcome;
    default:
      return ErrnoError(err, "accept");
  }
}

void Acceptor::RenewReserve() {
  reserve_.reset();  // First: the reopened one takes the lowest free number, this one's or below.
  reserve_ = OpenReserve();
}

bool Acceptor::listening() const {
  int accepting = 0;
  socklen_t length = sizeof accepting;
  return listener_.valid() &&
         ::getsockopt(listener_.get(), SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 &&
         accepting != 0;
}

void Acceptor::StopListening() {
  if (listener_.valid()) ::shutdown(listener_.get(), SHUT_RD);
  listener_.reset();
  reserve_.reset();
}

}  // namespace netref::posix

// network_isolation.cc: unshare(2) and one ioctl, so --isolate needs neither util-linux's
// unshare nor iproute2's ip. A new namespace's loopback is down, and the kernel gives it
// 127.0.0.1 and ::1 as it comes up.
#include "harness/conformance/network_isolation.h"

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace netref::conformance {

std::optional<std::string> EnterPrivateNetwork() {
  if (::unshare(CLONE_NEWNET) != 0) {
    return std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) +
           (errno == EPERM ? " (--isolate needs root)" : "");
  }
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("socket: ") + std::strerror(errno);
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  std::optional<std::string> error;
  if (::ioctl(fd, SIOCGIFFLAGS, &request) != 0) {
    error = std::string("SIOCGIFFLAGS lo: ") + std::strerror(errno);
  } else {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    if (::ioctl(fd, SIOCSIFFLAGS, &request) != 0) {
      error = std::string("SIOCSIFFLAGS lo up: ") + std::strerror(errno);
    }
  }
  ::close(fd);
  return error;
}

}  // namespace netref::conformance

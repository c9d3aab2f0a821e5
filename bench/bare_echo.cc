// bare_echo: the machine's limit, a minimal C-style echo server with nothing of netref in it.
//
// `bench_bare_echo 0 --bind 127.0.0.1 [--quiet] [--fork]`: prints `listening on ADDR:PORT`,
// then serves clients one at a time (iterative) or with one fork per client (--fork), with plain
// read/write and no console lines. The benchmark runs it through the same kernels as the
// reference servers, so "bare" is what the kernel charges for the model itself. Must not: grow
// features. Its only hazards are handled the shortest way: SIGCHLD reaps with a waitpid loop
// (signals coalesce; SIG_IGN would auto-reap but then cstime would not see the children's CPU),
// and a child dies with its parent (PR_SET_PDEATHSIG) so SIGTERM to the parent leaves nothing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void Reap(int) {
  const int saved = errno;
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  errno = saved;
}

// SIGTERM ends the server with status 0, as the reference servers' G5 does (PDEATHSIG ends the
// children). _exit is async-signal-safe.
void Exit(int) { ::_exit(0); }

void Echo(int fd) {
  char buffer[8191];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) return;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(fd, buffer + done, static_cast<std::size_t>(n - done));
      if (w <= 0) return;
      done += w;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool fork_per_client = false;
  const char* bind_to = "127.0.0.1";
  int port = argc > 1 ? std::atoi(argv[1]) : 0;
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], "--fork") == 0) fork_per_client = true;
    if (std::strcmp(argv[i], "--bind") == 0 && i + 1 < argc) bind_to = argv[++i];
  }
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction reap {};
  reap.sa_handler = Reap;
  reap.sa_flags = SA_RESTART;  // accept resumes after a SIGCHLD.
  ::sigaction(SIGCHLD, &reap, nullptr);
  ::signal(SIGTERM, Exit);
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, bind_to, &address.sin_addr);
  socklen_t length = sizeof address;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener, 128) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    std::perror("bench_bare_echo");
    return 1;
  }
  std::printf("listening on %s:%d\n", bind_to, ntohs(address.sin_port));
  std::fflush(stdout);
  const pid_t parent = ::getpid();
  while (true) {
    const int client = ::accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    if (!fork_per_client) {
      Echo(client);
      ::close(client);
      continue;
    }
    if (::fork() == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(0);
      ::close(listener);  // The child closes the listener.
      Echo(client);
      ::_exit(0);
    }
    ::close(client);  // The parent closes the connected socket.
  }
}

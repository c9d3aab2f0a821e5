/* bare_epoll: the minimal C counterpart of tcp_echo_epoll. One process, non-blocking sockets,
 * level-triggered epoll; a client whose echo could not be written whole is not read again until
 * the rest is written (so a client that does not read costs one buffer, not unbounded memory).
 * Backlog 128, as tcp_echo_epoll; accepts until EAGAIN on each wake. Out of fds (EMFILE) it
 * spins until one is free: the benchmark never gets there, netref's servers back off. */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bare_server.h"

enum { kMaxFds = 4096, kBufferSize = 8191 }; /* G4: BUFSIZ-1 bytes a read, as netref's. */

struct pending {
  struct sockaddr_in peer; /* For the disconnect line. */
  size_t length, written;
  char data[kBufferSize];
};
static struct pending *clients[kMaxFds]; /* By fd; NULL when the fd is not a client. */
static int epoll_fd;

static void stop(int signo) {
  (void)signo;
  _exit(0); /* One process: the kernel closes every socket. */
}

static void watch(int fd, unsigned events, int op) {
  struct epoll_event event = {.events = events, .data.fd = fd};
  epoll_ctl(epoll_fd, op, fd, &event);
}

static void drop(int fd) {
  bare_disconnected(&clients[fd]->peer);
  free(clients[fd]);
  clients[fd] = NULL;
  close(fd); /* Leaves the epoll set too. */
}

static void accept_all(int listener) {
  for (;;) {
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    const int fd =
        accept4(listener, (struct sockaddr *)&peer, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 && (errno == EINTR || errno == ECONNABORTED)) continue;
    if (fd < 0) return; /* EAGAIN: all taken. EMFILE: the rest wait in the backlog. */
    if (fd >= kMaxFds || (clients[fd] = calloc(1, sizeof *clients[fd])) == NULL) {
      close(fd);
      continue;
    }
    clients[fd]->peer = peer;
    bare_connected(&peer);
    bare_nodelay(fd);
    watch(fd, EPOLLIN, EPOLL_CTL_ADD);
  }
}

/* Writes what is pending; 0 when it is all written, 1 when some is left, -1 on an error. */
static int flush(int fd, struct pending *p) {
  while (p->written < p->length) {
    const ssize_t w = write(fd, p->data + p->written, p->length - p->written);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return errno == EAGAIN ? 1 : -1;
    p->written += (size_t)w;
  }
  p->length = p->written = 0;
  return 0;
}

static void serve(int fd) {
  struct pending *p = clients[fd];
  if (p == NULL) return;
  if (p->length > 0) { /* Waiting for room to write the rest of an echo. */
    const int left = flush(fd, p);
    if (left < 0) drop(fd);
    if (left == 0) watch(fd, EPOLLIN, EPOLL_CTL_MOD);
    return;
  }
  const ssize_t n = read(fd, p->data, sizeof p->data);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) { /* EOF or a reset. */
    drop(fd);
    return;
  }
  p->length = (size_t)n;
  const int left = flush(fd, p);
  if (left < 0) drop(fd);
  if (left > 0) watch(fd, EPOLLOUT, EPOLL_CTL_MOD);
}

int main(int argc, char **argv) {
  const int listener = bare_listen(argc, argv, 128, NULL);
  fcntl(listener, F_SETFL, O_NONBLOCK); /* accept_all takes connections until EAGAIN. */
  signal(SIGPIPE, SIG_IGN);
  bare_on_signal(SIGTERM, stop, 0, 0);
  bare_on_signal(SIGINT, stop, 0, 0);
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  watch(listener, EPOLLIN, EPOLL_CTL_ADD);
  struct epoll_event events[64];
  for (;;) {
    const int n = epoll_wait(epoll_fd, events, 64, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      perror("epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == listener) {
        accept_all(listener);
      } else {
        serve(events[i].data.fd);
      }
    }
  }
}

/* common.h: what the kit's deliberately broken programs share: argument parsing (G1), the
 * `listening on` line (G2), a SIGTERM exit (G5), a binary-safe echo loop (T2) and a chat relay
 * (C1-C6) with its bugs switched by parameters. Each broken program breaks exactly one clause;
 * everything here is written to pass the others. Must not: be used by netref's own programs.
 * Binds 127.0.0.1 only (the lecture binds INADDR_ANY), so the kit's tests stay on loopback. */
#ifndef NETREF_HARNESS_CONFORMANCE_BROKEN_COMMON_H_
#define NETREF_HARNESS_CONFORMANCE_BROKEN_COMMON_H_

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* G1: a port is 1-5 decimal digits, 0..65535; anything else is a usage error, exit 2. */
static inline int ParsePortOrExit(int argc, char **argv, int want_args, const char *usage) {
  const char *text = argv[argc - 1];
  char *end = NULL;
  long port;
  if (argc != want_args || text[0] < '0' || text[0] > '9') {
    fprintf(stderr, usage, argv[0]);
    exit(2);
  }
  port = strtol(text, &end, 10);
  if (*end != '\0' || port > 65535) {
    fprintf(stderr, usage, argv[0]);
    exit(2);
  }
  return (int)port;
}

/* G5: SIGTERM ends the program with exit 0 (_exit is async-signal-safe). */
static inline void ExitZero(int signal_number) {
  (void)signal_number;
  _exit(0);
}

static inline void ExitZeroOnSigterm(void) { signal(SIGTERM, ExitZero); }

/* Binds a socket of `type` to 127.0.0.1:port and prints G2's line. Exits 1 on failure. */
static inline int BindAndAnnounce(int type, int port) {
  struct sockaddr_in address;
  socklen_t length = sizeof address;
  int fd = socket(AF_INET, type, 0), on = 1;
  /* A restart must not wait for the last connection's TIME_WAIT to pass. */
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons((unsigned short)port);
  if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    perror("bind");
    exit(1);
  }
  if (type == SOCK_STREAM && listen(fd, 5) != 0) {
    perror("listen");
    exit(1);
  }
  getsockname(fd, (struct sockaddr *)&address, &length);
  printf("listening on 127.0.0.1:%d\n", ntohs(address.sin_port));
  return fd;
}

/* T2, done right: echo every byte read (NULs included), completing short writes. */
static inline void EchoSession(int fd, int peer_port) {
  char buffer[BUFSIZ];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer - 1)) > 0) {
    ssize_t done = 0;
    buffer[n] = '\0';
    printf("Client(%d): %s\n", peer_port, buffer);
    while (done < n) {
      ssize_t w = write(fd, buffer + done, (size_t)(n - done));
      if (w < 0) return;
      done += w;
    }
  }
  printf("Client(%d): is disconnected\n", peer_port);
}

/* C1-C4, with two switches for the bugs: `capacity` (the lecture's MAX_CLIENT is 10) and
 * `relay_to_sender` (the lecture skips the sender). */
static inline int ChatServerMain(int argc, char **argv, int capacity, int relay_to_sender) {
  struct sockaddr_in clients[16], from;
  int count = 0, fd, i;
  setvbuf(stdout, NULL, _IOLBF, 0);
  ExitZeroOnSigterm(); /* Before `listening on`: from then on a SIGTERM may come. */
  fd = BindAndAnnounce(SOCK_DGRAM, ParsePortOrExit(argc, argv, 2, "Usage: %s Port\n"));
  for (;;) {
    char buffer[BUFSIZ], header[64];
    socklen_t length = sizeof from;
    /* MSG_TRUNC: the real length comes back, so a cut datagram is reported (C6). */
    ssize_t n = recvfrom(fd, buffer, BUFSIZ - 1, MSG_TRUNC, (struct sockaddr *)&from, &length);
    int index = 0;
    if (n < 0) continue;
    if (n > BUFSIZ - 1) {
      fprintf(stderr, "datagram of %ld bytes cut to %d\n", (long)n, BUFSIZ - 1);
      n = BUFSIZ - 1;
    }
    while (index < count && !(clients[index].sin_addr.s_addr == from.sin_addr.s_addr &&
                              clients[index].sin_port == from.sin_port)) {
      ++index;
    }
    if (index == count) {
      if (count == capacity) continue;
      clients[count++] = from;
    }
    printf("nClient: %d \n", count);
    snprintf(header, sizeof header, "%s: %d>> ", inet_ntoa(from.sin_addr), ntohs(from.sin_port));
    for (i = 0; i < count; ++i) {
      if (i == index && !relay_to_sender) continue;
      sendto(fd, header, strlen(header), 0, (struct sockaddr *)&clients[i], sizeof clients[i]);
      sendto(fd, buffer, (size_t)n, 0, (struct sockaddr *)&clients[i], sizeof clients[i]);
    }
  }
  return 0; /* Not reached: SIGTERM ends the loop. */
}

#endif /* NETREF_HARNESS_CONFORMANCE_BROKEN_COMMON_H_ */

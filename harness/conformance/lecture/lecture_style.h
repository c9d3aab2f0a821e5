/* lecture_style.h: what the lecture-style programs in this folder share: strict argument
 * parsing (G1) and the lecture's errProc. These programs are written the way the lecture
 * writes its own (plain C, its console wording, no `listening on` line, no flags, SIGTERM left
 * at its default) but without the lecture's bugs, so the conformance kit in --lecture mode must
 * pass every one on every clause. Each BREAK_* define (see CMakeLists.txt) puts one bug back
 * in one or two lines, and the kit must then fail exactly that check.
 * They bind 127.0.0.1 (the lecture: INADDR_ANY) so that the kit's tests stay on loopback. */
#ifndef NETREF_HARNESS_CONFORMANCE_LECTURE_LECTURE_STYLE_H_
#define NETREF_HARNESS_CONFORMANCE_LECTURE_LECTURE_STYLE_H_

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static inline void errProc(const char *str) {
  fprintf(stderr, "%s: %s \n", str, strerror(errno));
  exit(1);
}

/* G1: a port is 1 to 5 decimal digits with value 0..65535; -1 for anything else. */
static inline int ParsePort(const char *text) {
#ifdef BREAK_ATOI_PORT
  /* The bug: atoi with a range check only: "abc" is 0 and "12x" is 12. */
  int port = atoi(text);
  return port < 0 || port > 65535 ? -1 : port;
#else
  long port = 0;
  size_t i, n = strlen(text);
  if (n == 0 || n > 5) return -1;
  for (i = 0; i < n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    port = port * 10 + (text[i] - '0');
  }
  return port > 65535 ? -1 : (int)port;
#endif
}

/* G1: the usage line on stderr and exit 2 (the lecture prints it to stdout and exits 1). */
static inline void UsageExit(const char *usage, const char *argv0) {
  fprintf(stderr, usage, argv0);
  exit(2);
}

/* The server's socket on 127.0.0.1:port, listening with `backlog` for TCP. */
static inline int ServerSocket(int type, int port, int backlog) {
  struct sockaddr_in srvAddr;
  int on = 1;
  int srvSd = socket(AF_INET, type, 0);
  if (srvSd == -1) errProc("socket");
#ifndef BREAK_NO_REUSEADDR
  /* A restart must not wait for the last connection's TIME_WAIT to pass. */
  if (setsockopt(srvSd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1) errProc("setsockopt");
#else
  (void)on;
#endif
  memset(&srvAddr, 0, sizeof(srvAddr));
  srvAddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  srvAddr.sin_family = AF_INET;
  srvAddr.sin_port = htons((unsigned short)port);
#ifdef BREAK_IGNORES_BIND_FAILURE
  /* The bug: a failed bind is reported and ignored; the server then runs on a random port. */
  if (bind(srvSd, (struct sockaddr *)&srvAddr, sizeof(srvAddr)) == -1) perror("bind");
#else
  if (bind(srvSd, (struct sockaddr *)&srvAddr, sizeof(srvAddr)) == -1) errProc("bind");
#endif
  if (type == SOCK_STREAM && listen(srvSd, backlog) < 0) errProc("listen");
  return srvSd;
}

#endif /* NETREF_HARNESS_CONFORMANCE_LECTURE_LECTURE_STYLE_H_ */

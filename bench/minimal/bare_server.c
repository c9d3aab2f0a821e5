/* bare_server.c: arguments, listener, echo and signals of the minimal C servers. */
#include "bare_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage_exit(const char *program, const char *problem) {
  const char *slash = strrchr(program, '/');
  fprintf(stderr, "%s: %s\nUsage: %s PORT [--bind ADDR] [--quiet] [--workers N]\n",
          slash != NULL ? slash + 1 : program, problem, program);
  exit(2);
}

/* A whole decimal number in [min, max]; anything else (a sign, a space, 12x, 70000) exits 2 with
 * the words netref's programs use: `port: '70000': must be 0..65535`. */
static long parse_number(const char *program, const char *what, const char *text, long min,
                         long max) {
  const char *p = text;
  while (*p >= '0' && *p <= '9') ++p;
  const long value = (*text != '\0' && *p == '\0' && p - text <= 9) ? strtol(text, NULL, 10) : -1;
  if (value < min || value > max) {
    char problem[160];
    snprintf(problem, sizeof problem, "%s: '%.40s': must be %ld..%ld", what, text, min, max);
    usage_exit(program, problem);
  }
  return value;
}

int bare_listen(int argc, char **argv, int backlog, int *workers) {
  const char *program = argc > 0 ? argv[0] : "bench_bare";
  const char *bind_to = "0.0.0.0";
  const char *port_text = NULL;
  char problem[160];
  if (workers != NULL) *workers = 1;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--quiet") == 0) continue;
    if (strcmp(argv[i], "--bind") == 0 || strcmp(argv[i], "--workers") == 0) {
      if (i + 1 == argc) {
        snprintf(problem, sizeof problem, "%s needs a value", argv[i]);
        usage_exit(program, problem);
      }
      if (argv[i][2] == 'b') {
        bind_to = argv[++i];
      } else if (workers != NULL) {
        *workers = (int)parse_number(program, "--workers", argv[++i], 1, 1024);
      } else {
        usage_exit(program, "--workers: only bench_bare_prefork has workers");
      }
    } else if (argv[i][0] == '-' && argv[i][1] == '-') {
      snprintf(problem, sizeof problem, "unknown option '%.40s'", argv[i]);
      usage_exit(program, problem);
    } else if (port_text == NULL) {
      port_text = argv[i];
    } else {
      snprintf(problem, sizeof problem, "unexpected argument '%.40s'", argv[i]);
      usage_exit(program, problem);
    }
  }
  if (port_text == NULL) usage_exit(program, "missing argument PORT");
  const long port = parse_number(program, "port", port_text, 0, 65535);
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons((unsigned short)port);
  if (inet_pton(AF_INET, bind_to, &address.sin_addr) != 1) {
    snprintf(problem, sizeof problem, "--bind: bad IPv4 address '%.40s'", bind_to);
    usage_exit(program, problem);
  }
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  socklen_t length = sizeof address;
  if (listener < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(listener, (struct sockaddr *)&address, sizeof address) != 0 ||
      listen(listener, backlog) != 0 ||
      getsockname(listener, (struct sockaddr *)&address, &length) != 0) {
    fprintf(stderr, "%s: %s:%ld: %s\n", program, bind_to, port, strerror(errno));
    exit(1);
  }
  printf("listening on %s:%d\n", bind_to, ntohs(address.sin_port));
  fflush(stdout); /* Before any fork: a child must not inherit the line unwritten. */
  return listener;
}

int bare_accept(int listener, struct sockaddr_in *peer) {
  for (;;) {
    socklen_t length = sizeof *peer;
    const int client = accept(listener, (struct sockaddr *)peer, &length);
    if (client >= 0 || (errno != EINTR && errno != ECONNABORTED)) {
      if (client < 0) perror("accept");
      return client;
    }
  }
}

static void write_line(const char *line, int length) {
  while (write(STDOUT_FILENO, line, (size_t)length) < 0 && errno == EINTR) {
  }
}

void bare_connected(const struct sockaddr_in *peer) {
  char address[INET_ADDRSTRLEN];
  char line[96];
  inet_ntop(AF_INET, &peer->sin_addr, address, sizeof address);
  write_line(line, snprintf(line, sizeof line, "client %s:%d is connected...\n", address,
                            ntohs(peer->sin_port)));
}

void bare_disconnected(const struct sockaddr_in *peer) {
  char line[64];
  write_line(line,
             snprintf(line, sizeof line, "Client(%d): is disconnected\n", ntohs(peer->sin_port)));
}

void bare_nodelay(int fd) {
  const int one = 1;
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void bare_echo(int fd) {
  char buffer[8191]; /* G4: a read takes at most BUFSIZ-1 bytes, as the lecture's and netref's. */
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; /* EOF, or a reset. */
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = write(fd, buffer + done, (size_t)(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return; /* The peer is gone (SIGPIPE is ignored: EPIPE). */
      done += w;
    }
  }
}

void bare_on_signal(int signo, void (*handler)(int), int flags, int blocked) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  action.sa_flags = flags;
  sigemptyset(&action.sa_mask);
  if (blocked != 0) sigaddset(&action.sa_mask, blocked);
  sigaction(signo, &action, NULL);
}

void bare_end_children(int status) {
  bare_on_signal(SIGTERM, SIG_IGN, 0, 0); /* The group's SIGTERM is for the children. */
  kill(0, SIGTERM);
  /* Every child, reaped: waitpid fails with ECHILD once none is left. */
  while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
  }
  _exit(status);
}

void bare_end_group(int signo) {
  (void)signo;
  bare_end_children(0);
}

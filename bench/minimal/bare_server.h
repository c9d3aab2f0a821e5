/* bare_server.h: what the four minimal C echo servers share: arguments, the listener, the echo.
 *
 * bench_bare_{iterative,fork,prefork,epoll} are the benchmark's counterparts of netref's four TCP
 * servers: libc only, correct (EINTR retried, every child reaped, SIGTERM or SIGINT ends the
 * server with status 0 and leaves no process), as small as the textbook's, and built as the
 * textbook builds them (`cc -O2`, libc shared). Each uses the backlog of its netref server, sets
 * TCP_NODELAY as netref's servers do, and prints the lecture's two lines per client that
 * netref's servers print under --quiet (`client IP:PORT is connected...`, `Client(PORT): is
 * disconnected`), so a ratio between the two measures two servers of the same program, not
 * Nagle, a backlog or a console. Each line is one write(2), as a correct C server must do it:
 * a line left in stdio's buffer is copied by fork and lost by _exit. Must not: grow features,
 * print per-message lines, or use netref's code. */
#ifndef NETREF_BENCH_MINIMAL_BARE_SERVER_H_
#define NETREF_BENCH_MINIMAL_BARE_SERVER_H_

/* Parses `PORT [--bind ADDR] [--quiet] [--workers N]` (--quiet is accepted: these servers have
 * no per-message lines to silence), binds with SO_REUSEADDR, listens with `backlog`, prints
 * `listening on ADDR:PORT` and returns the listener. A bad argument prints what is wrong and the
 * usage on stderr and exits 2 (port 70000 is refused, not truncated to 4464); a failed bind or
 * listen exits 1. `workers` (may be NULL) gets --workers, 1 by default. */
int bare_listen(int argc, char **argv, int backlog, int *workers);

struct sockaddr_in;

/* The next client of a blocking listener, and its address in `peer`. EINTR and ECONNABORTED (a
 * client that reset before it was accepted) are retried; any other error is reported on stderr
 * and gives -1. */
int bare_accept(int listener, struct sockaddr_in *peer);

/* The lecture's per-client lines on stdout, each one write(2) (EINTR retried). */
void bare_connected(const struct sockaddr_in *peer);
void bare_disconnected(const struct sockaddr_in *peer);

/* TCP_NODELAY on an accepted socket. */
void bare_nodelay(int fd);

/* Echoes `fd` back to itself until EOF or an error: retries EINTR, completes short writes. */
void bare_echo(int fd);

/* sigaction(signo) with `handler`, `flags`, and `blocked` (0 for none) masked in the handler. */
void bare_on_signal(int signo, void (*handler)(int), int flags, int blocked);

/* The end of a server with children (fork, prefork): signals the process group (the server
 * made itself its leader, so that is itself and its children) with SIGTERM, reaps every child
 * and _exits with `status`. Everything it calls is async-signal-safe. */
void bare_end_children(int status);

/* The SIGTERM and SIGINT handler of those servers: bare_end_children(0). */
void bare_end_group(int signo);

#endif /* NETREF_BENCH_MINIMAL_BARE_SERVER_H_ */

/* bare_prefork: the minimal C counterpart of tcp_echo_prefork. --workers N children made at start
 * accept on the one listener (a blocking accept wakes one waiter per connection); the parent
 * only waits, and replaces a worker that was killed. Backlog 128, as tcp_echo_prefork. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bare_server.h"

static pid_t spawn_worker(int listener) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  signal(SIGTERM, SIG_DFL); /* The parent's SIGTERM ends the worker. */
  signal(SIGINT, SIG_DFL);
  for (;;) {
    struct sockaddr_in peer;
    const int client = bare_accept(listener, &peer);
    if (client < 0) _exit(1);
    bare_connected(&peer);
    bare_nodelay(client);
    bare_echo(client);
    bare_disconnected(&peer);
    close(client);
  }
}

int main(int argc, char **argv) {
  int workers = 1;
  const int listener = bare_listen(argc, argv, 128, &workers);
  setpgid(0, 0); /* Leader of its own group: SIGTERM ends the workers with one kill(0). */
  signal(SIGPIPE, SIG_IGN);
  bare_on_signal(SIGTERM, bare_end_group, 0, 0);
  bare_on_signal(SIGINT, bare_end_group, 0, 0);
  for (int i = 0; i < workers; ++i) {
    if (spawn_worker(listener) < 0) perror("fork");
  }
  /* The blocking waitpid is the reap: no SIGCHLD handler. A worker killed by a signal is
   * replaced; one that failed by itself (exit 1) is not, so a broken worker cannot spin. */
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) return 1; /* No worker left. */
    if (WIFSIGNALED(status) && spawn_worker(listener) < 0) perror("fork");
  }
}

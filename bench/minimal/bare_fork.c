/* bare_fork: the minimal C counterpart of tcp_echo_fork. A child per client, the backlog of 5
 * (the lecture's listen(srvSd, 5)), every child reaped. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bare_server.h"

/* Signals coalesce: one SIGCHLD may stand for many exits, so reap until none is left. */
static void reap(int signo) {
  const int saved = errno;
  (void)signo;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

int main(int argc, char **argv) {
  const int listener = bare_listen(argc, argv, 5, NULL);
  setpgid(0, 0); /* Leader of its own group: SIGTERM ends the children with one kill(0). */
  signal(SIGPIPE, SIG_IGN);
  bare_on_signal(SIGCHLD, reap, SA_RESTART, 0); /* accept resumes after a reap. */
  bare_on_signal(SIGTERM, bare_end_group, 0, SIGCHLD);
  bare_on_signal(SIGINT, bare_end_group, 0, SIGCHLD);
  for (;;) {
    struct sockaddr_in peer;
    const int client = bare_accept(listener, &peer);
    if (client < 0) bare_end_children(1);
    bare_connected(&peer); /* Before the fork, as the lecture's parent prints it. */
    const pid_t pid = fork();
    if (pid == 0) {
      signal(SIGTERM, SIG_DFL); /* The parent's SIGTERM ends the child. */
      signal(SIGINT, SIG_DFL);
      close(listener); /* The child closes the listener: only the parent accepts. */
      bare_nodelay(client);
      bare_echo(client);
      bare_disconnected(&peer);
      _exit(0);
    }
    if (pid < 0) perror("fork"); /* That client is closed below; the server goes on. */
    /* The parent closes the connected socket: the child owns it. */
    close(client);
  }
}

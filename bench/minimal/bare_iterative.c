/* bare_iterative: the minimal C counterpart of tcp_echo_iterative. One client at a time, the
 * others wait in the backlog of 2 (the lecture's listen(srvSd, 2)). */
#include <netinet/in.h>
#include <signal.h>
#include <unistd.h>

#include "bare_server.h"

/* Nothing to clean up: no children, and _exit is async-signal-safe. */
static void stop(int signo) {
  (void)signo;
  _exit(0);
}

int main(int argc, char **argv) {
  const int listener = bare_listen(argc, argv, 2, NULL);
  signal(SIGPIPE, SIG_IGN); /* A peer that resets mid-echo gives EPIPE, not death. */
  bare_on_signal(SIGTERM, stop, 0, 0);
  bare_on_signal(SIGINT, stop, 0, 0);
  for (;;) {
    struct sockaddr_in peer;
    const int client = bare_accept(listener, &peer);
    if (client < 0) return 1;
    bare_connected(&peer);
    bare_nodelay(client);
    bare_echo(client);
    bare_disconnected(&peer);
    close(client);
  }
}

/* fork_never_reaps.c: a fork-per-client echo server that is right in every way but one: it
 * never waits for its children, so each finished client leaves a zombie. The kit must report
 * T4 (leaves zombies) and pass every other clause. Built with SLOW_CHILD_EXIT, each child takes
 * 300 ms to exit after its client leaves: G5 must still pass (a child on its way out is not
 * one the server left behind). */
#include "common.h"

int main(int argc, char **argv) {
  int listener;
  setvbuf(stdout, NULL, _IOLBF, 0);
  {
    const int port = ParsePortOrExit(argc, argv, 2, "Usage: %s [port]\n");
    printf("Server start...\n");
    ExitZeroOnSigterm(); /* Before `listening on`: from then on a SIGTERM may come. */
    listener = BindAndAnnounce(SOCK_STREAM, port);
  }
  for (;;) {
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    int fd = accept(listener, (struct sockaddr *)&peer, &length);
    if (fd < 0) continue;
    printf("client %s:%d is connected...\n", inet_ntoa(peer.sin_addr), ntohs(peer.sin_port));
    if (fork() == 0) {
      close(listener); /* The child closes the listener. */
      signal(SIGTERM, SIG_DFL);
      EchoSession(fd, ntohs(peer.sin_port));
#ifdef SLOW_CHILD_EXIT
      usleep(300000);
#endif
      _exit(0);
    }
    close(fd); /* The parent closes the client socket, and (the bug) never reaps. */
  }
}

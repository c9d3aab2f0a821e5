/* tcpfirstsrv.c, lecture style and correct: the iterative echo server (T1, T2), listen
 * backlog 2, one client at a time. */
#include <signal.h>

#include "echo_session.h"

int main(int argc, char **argv) {
  int srvSd, clntSd, port;
  struct sockaddr_in clntAddr;
  socklen_t clntAddrLen;

  setvbuf(stdout, NULL, _IOLBF, 0); /* Each console line leaves at once, even into a pipe. */
  if (argc != 2 || (port = ParsePort(argv[1])) < 0) UsageExit("Usage: %s [port] \n", argv[0]);
#ifndef BREAK_SIGPIPE
  signal(SIGPIPE, SIG_IGN); /* A write to a reset client fails with EPIPE, not death. */
#endif
  printf("Server start...\n");
  srvSd = ServerSocket(SOCK_STREAM, port, 2);
  while (1) {
    clntAddrLen = sizeof(clntAddr);
    clntSd = accept(srvSd, (struct sockaddr *)&clntAddr, &clntAddrLen);
    if (clntSd == -1) {
      if (errno != EINTR) fprintf(stderr, "accept: %s \n", strerror(errno));
      continue;
    }
    printf("client %s:%d is connected...\n", inet_ntoa(clntAddr.sin_addr),
           ntohs(clntAddr.sin_port));
    EchoSession(clntSd, ntohs(clntAddr.sin_port));
    close(clntSd);
  }
}

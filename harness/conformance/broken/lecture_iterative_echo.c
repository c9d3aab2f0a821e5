/* lecture_iterative_echo.c: the lecture's tcpfirstsrv.c as written: the fork server's code
 * without the fork, listen backlog 2 (the lecture shows only that line and says the rest is set
 * up as in the fork server). Its known bugs must come out as named deviations: usage on stdout
 * with exit 1, atoi ports, no `listening on` line, the strlen echo, no SO_REUSEADDR, death by
 * SIGTERM, and death by SIGPIPE when a client resets its connection (the next write to it).
 * Only change: it binds 127.0.0.1, not INADDR_ANY, so the kit's tests stay on loopback. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void errProc(const char *str) {
  fprintf(stderr, "%s: %s \n", str, strerror(errno));
  exit(1);
}

int main(int argc, char **argv) {
  int srvSd, clntSd;
  struct sockaddr_in srvAddr, clntAddr;
  socklen_t clntAddrLen;
  ssize_t readLen;
  char rBuff[BUFSIZ];

  if (argc != 2) {
    printf("Usage: %s [port] \n", argv[0]);
    exit(1);
  }
  printf("Server start...\n");
  srvSd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (srvSd == -1) errProc("socket");
  memset(&srvAddr, 0, sizeof(srvAddr));
  srvAddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  srvAddr.sin_family = AF_INET;
  srvAddr.sin_port = htons((unsigned short)atoi(argv[1]));
  if (bind(srvSd, (struct sockaddr *)&srvAddr, sizeof(srvAddr)) == -1) errProc("bind");
  if (listen(srvSd, 2) < 0) errProc("listen");
  clntAddrLen = sizeof(clntAddr);
  while (1) {
    clntSd = accept(srvSd, (struct sockaddr *)&clntAddr, &clntAddrLen);
    if (clntSd == -1) {
      fprintf(stderr, "accept: %s \n", strerror(errno));
      continue;
    }
    printf("client %s:%d is connected...\n", inet_ntoa(clntAddr.sin_addr),
           ntohs(clntAddr.sin_port));
    while (1) {
      readLen = read(clntSd, rBuff, sizeof(rBuff) - 1);
      if (readLen == 0) break;
      if (readLen < 0) continue; /* The lecture stores rBuff[-1]; this keeps the loop, not UB. */
      rBuff[readLen] = '\0';
      printf("Client(%d): %s\n", ntohs(clntAddr.sin_port), rBuff);
      write(clntSd, rBuff, strlen(rBuff)); /* After a reset: SIGPIPE ends the server. */
    }
    printf("Client(%d): is disconnected\n", ntohs(clntAddr.sin_port));
    close(clntSd);
  }
  close(srvSd);
  return 0;
}

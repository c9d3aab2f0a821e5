/* lecture_fork_echo.c: the lecture's multiProcessTcpServer.c, as written: usage on stdout with
 * exit 1, no `listening on` line, `write(clntSd, rBuff, strlen(rBuff))` (the echo stops at the
 * first NUL), and no SIGCHLD handler (finished children stay zombies). The conformance kit must
 * report exactly these as named deviations (G1, G2, T2 NUL, T4, G5) and pass the rest.
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
  pid_t pid;

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
  if (listen(srvSd, 5) < 0) errProc("listen");
  clntAddrLen = sizeof(clntAddr);
  while (1) {
    clntSd = accept(srvSd, (struct sockaddr *)&clntAddr, &clntAddrLen);
    if (clntSd == -1) {
      fprintf(stderr, "accept: %s \n", strerror(errno));
      continue;
    }
    printf("client %s:%d is connected...\n", inet_ntoa(clntAddr.sin_addr),
           ntohs(clntAddr.sin_port));
    pid = fork();
    if (pid == 0) {
      close(srvSd);
      while (1) {
        readLen = read(clntSd, rBuff, sizeof(rBuff) - 1);
        if (readLen <= 0) break;
        rBuff[readLen] = '\0';
        printf("Client(%d): %s\n", ntohs(clntAddr.sin_port), rBuff);
        /* The bug: stops at the first NUL. (The lecture ignores the result.) */
        if (write(clntSd, rBuff, strlen(rBuff)) < 0) break;
      }
      printf("Client(%d): is disconnected\n", ntohs(clntAddr.sin_port));
      close(clntSd);
      return 0;
    } else if (pid == -1) {
      errProc("fork");
    } else {
      close(clntSd); /* And never waits: each finished child stays a zombie. */
    }
  }
  close(srvSd);
  return 0;
}

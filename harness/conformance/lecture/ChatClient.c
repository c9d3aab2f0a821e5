/* ChatClient.c, lecture style and correct: the forking chat client (C7). The child writes every
 * datagram it receives to stdout; the parent sends each stdin line (fgets, BUFSIZ-1) as one
 * datagram and, after END or at stdin EOF, ends the child with SIGTERM and waits for it. The
 * child dies with its parent even if the parent is killed (PR_SET_PDEATHSIG). */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "lecture_style.h"

int main(int argc, char **argv) {
  int mySock, port;
  char buff[BUFSIZ];
  struct sockaddr_in destAddr;
  pid_t pid, parent = getpid();

  memset(&destAddr, 0, sizeof(destAddr));
  if (argc != 3 || inet_pton(AF_INET, argv[1], &destAddr.sin_addr) != 1 ||
      (port = ParsePort(argv[2])) < 0) {
    UsageExit("Usage: %s IP Port\n", argv[0]);
  }
  destAddr.sin_family = AF_INET;
  destAddr.sin_port = htons((unsigned short)port);
  mySock = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  if (mySock == -1) errProc("socket");
  pid = fork();
  if (pid == -1) errProc("fork");
  if (pid == 0) { /* The child: what arrives goes to stdout as it is. */
#ifndef BREAK_ORPHANS
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0); /* The parent died before the prctl. */
#else
    (void)parent;
#endif
    while (1) {
      ssize_t nRecv = recvfrom(mySock, buff, BUFSIZ - 1, 0, NULL, NULL);
      if (nRecv == -1) {
        if (errno == EINTR) continue;
        errProc("recvfrom");
      }
      if (write(1, buff, (size_t)nRecv) != nRecv) _exit(1);
    }
  }
  /* The parent: each line, newline included, as one datagram. */
  while (fgets(buff, BUFSIZ - 1, stdin) != NULL) {
    size_t readLen = strlen(buff);
    if (sendto(mySock, buff, readLen, 0, (struct sockaddr *)&destAddr, sizeof destAddr) == -1)
      errProc("sendto");
    if (strcmp(buff, "END\n") == 0 || strcmp(buff, "END") == 0) break;
  }
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
  return 0;
}

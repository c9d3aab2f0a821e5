/* lecture_chat_client.c: the lecture's ChatClient.c as written: argv used unchecked (it
 * crashes without arguments), atoi ports, a fgets loop that at stdin EOF resends what is left
 * of its buffer, prints `fgets: Success` and exits 1, and a child that nothing ends when the
 * parent is killed. Its known bugs must come out as named deviations and every other check
 * must pass. Unchanged but for declarations the compiler needs and the buffer, zeroed so that
 * EOF before any line is the same `fgets` exit every time (the lecture's is uninitialised). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
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
  int mySock;
  ssize_t nSent, nRecv;
  size_t readLen;
  char buff[BUFSIZ] = {0};
  struct sockaddr_in destAddr;
  socklen_t addrLen;
  pid_t pid;

  (void)argc;
  mySock = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  memset(&destAddr, 0, sizeof(destAddr));
  destAddr.sin_addr.s_addr = inet_addr(argv[1]);
  destAddr.sin_family = AF_INET;
  destAddr.sin_port = htons((unsigned short)atoi(argv[2]));
  addrLen = sizeof(destAddr);
  pid = fork();
  if (pid == -1) errProc("fork");
  if (pid == 0) {
    while (1) {
      nRecv = recvfrom(mySock, buff, BUFSIZ - 1, 0, (struct sockaddr *)&destAddr, &addrLen);
      if (nRecv == -1) errProc("read");
      if (write(1, buff, (size_t)nRecv) < 0) errProc("write");
    }
  } else {
    while (1) {
      (void)fgets(buff, BUFSIZ - 1, stdin);
      readLen = strlen(buff);
      if (readLen == 0) errProc("fgets");
      nSent = sendto(mySock, buff, readLen, 0, (struct sockaddr *)&destAddr, addrLen);
      if (nSent == -1) errProc("write");
      buff[readLen - 1] = '\0';
      if (!strcmp(buff, "END")) break;
    }
    kill(pid, SIGTERM);
  }
  return 0;
}

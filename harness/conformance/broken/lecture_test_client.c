/* lecture_test_client.c: the lecture's tcptestclnt.c loop as written (fgets(wBuff, BUFSIZ-1),
 * `if (readLen < 2) continue;`, `write(clntSd, wBuff, readLen-1)`, END compared after cutting
 * the last byte), with the read-back that T5 describes: one read(BUFSIZ-1) after each message,
 * printed. Its known bugs must come out as named deviations: usage on stdout with exit 1, atoi
 * ports, a loop that at stdin EOF resends what is left of its buffer, the last byte of an
 * unterminated line dropped (`END` at EOF goes out as `EN`), lines over 8190 bytes cut into
 * pieces that each lose a byte. The buffer starts zeroed (the lecture's is uninitialised). */
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
  int clntSd;
  struct sockaddr_in clntAddr;
  char wBuff[BUFSIZ] = {0}, rBuff[BUFSIZ];
  ssize_t readLen, recvLen;

  if (argc != 3) {
    printf("Usage: %s [IP] [port] \n", argv[0]);
    exit(1);
  }
  clntSd = socket(AF_INET, SOCK_STREAM, 0);
  if (clntSd == -1) errProc("socket");
  memset(&clntAddr, 0, sizeof(clntAddr));
  clntAddr.sin_family = AF_INET;
  clntAddr.sin_addr.s_addr = inet_addr(argv[1]);
  clntAddr.sin_port = htons((unsigned short)atoi(argv[2]));
  if (connect(clntSd, (struct sockaddr *)&clntAddr, sizeof(clntAddr)) == -1) errProc("connect");
  while (1) {
    (void)fgets(wBuff, BUFSIZ - 1, stdin);
    readLen = (ssize_t)strlen(wBuff);
    if (readLen < 2) continue;
    if (write(clntSd, wBuff, (size_t)(readLen - 1)) < 0) errProc("write");
    wBuff[readLen - 1] = '\0';
    if (!strcmp(wBuff, "END")) break;
    recvLen = read(clntSd, rBuff, BUFSIZ - 1);
    if (recvLen <= 0) break;
    rBuff[recvLen] = '\0';
    printf("%s\n", rBuff);
  }
  close(clntSd);
  return 0;
}

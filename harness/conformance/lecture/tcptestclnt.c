/* tcptestclnt.c, lecture style and correct: the test client (T5). It reads stdin a whole line
 * at a time (getline, so long lines and NUL bytes are kept), skips a line shorter than 2 bytes
 * with its newline, sends the rest without the newline, reads back as many bytes as it sent
 * and prints them as `Server: ECHO` (the wording is its own: T5 does not fix it). After END it
 * reads END's echo back too, so it closes with nothing unread, and exits 0; so does stdin EOF. */
#include <signal.h>

#include "lecture_style.h"

/* Reads exactly `n` bytes into `buffer`; 0 on success. */
static int ReadBack(int fd, char *buffer, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buffer + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

int main(int argc, char **argv) {
  struct sockaddr_in srvAddr;
  char *wBuff = NULL, *rBuff;
  size_t capacity = 0;
  ssize_t readLen;
  int clntSd, port;

  memset(&srvAddr, 0, sizeof srvAddr);
  if (argc != 3 || inet_pton(AF_INET, argv[1], &srvAddr.sin_addr) != 1 ||
      (port = ParsePort(argv[2])) < 0) {
    UsageExit("Usage: %s [IP] [port] \n", argv[0]);
  }
  signal(SIGPIPE, SIG_IGN);
  srvAddr.sin_family = AF_INET;
  srvAddr.sin_port = htons((unsigned short)port);
  clntSd = socket(AF_INET, SOCK_STREAM, 0);
  if (clntSd == -1) errProc("socket");
  if (connect(clntSd, (struct sockaddr *)&srvAddr, sizeof srvAddr) == -1) errProc("connect");
  while ((readLen = getline(&wBuff, &capacity, stdin)) != -1) {
    const size_t lineLen = (size_t)readLen - (wBuff[readLen - 1] == '\n'); /* Without it. */
    size_t sendLen = lineLen;
#ifndef BREAK_NO_SKIP
    if (readLen < 2) continue; /* The lecture's `if (readLen < 2) continue;`. */
#endif
#ifdef BREAK_KEEPS_NEWLINE
    sendLen = (size_t)readLen; /* The bug: the newline goes on the wire too. */
#endif
    if (write(clntSd, wBuff, sendLen) != (ssize_t)sendLen) errProc("write");
    rBuff = malloc(sendLen + 1);
    if (rBuff == NULL || ReadBack(clntSd, rBuff, sendLen) != 0) errProc("read");
    if (lineLen == 3 && memcmp(wBuff, "END", 3) == 0) break; /* Its echo read back, unprinted. */
    printf("Server: ");
    fwrite(rBuff, 1, sendLen, stdout);
    if (sendLen == 0 || rBuff[sendLen - 1] != '\n') printf("\n");
    free(rBuff);
  }
  close(clntSd);
  return 0;
}

/* ChatServer.c, lecture style and correct: the UDP chat relay (C1-C6). MAX_CLIENT = 10
 * senders, in first-seen order; each datagram goes to every other listed client as the header
 * "%s: %d>> " and then the payload as received. A datagram over BUFSIZ-1 bytes is cut (as
 * recvfrom does) and, unlike the lecture, the cut is reported: on stderr, in its own words
 * (C6 fixes that it is reported, not how). */
#include "lecture_style.h"

#define MAX_CLIENT 10

/* The index of `entry` in `list`, or `count` if it is not there. */
static int checkSockList(struct sockaddr_in *entry, struct sockaddr_in *list, int count) {
  int i;
  for (i = 0; i < count; i++) {
    if (list[i].sin_addr.s_addr == entry->sin_addr.s_addr && list[i].sin_port == entry->sin_port)
      return i;
  }
  return i;
}

int main(int argc, char **argv) {
  int mySock, port, nClient = 0, i, res;
  ssize_t nRecv;
  char buff[BUFSIZ], nameBuff[50];
  struct sockaddr_in destAddr, sockets[MAX_CLIENT];
  socklen_t addrLen;

  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc != 2 || (port = ParsePort(argv[1])) < 0) UsageExit("Usage: %s Port\n", argv[0]);
  mySock = ServerSocket(SOCK_DGRAM, port, 0);
  while (1) {
    addrLen = sizeof(destAddr);
    /* MSG_TRUNC: the datagram's real length comes back, so a cut can be seen. */
    nRecv = recvfrom(mySock, buff, BUFSIZ - 1, MSG_TRUNC, (struct sockaddr *)&destAddr, &addrLen);
    if (nRecv == -1) {
      if (errno == EINTR) continue;
      errProc("recvfrom");
    }
    res = checkSockList(&destAddr, sockets, nClient);
    if (res == nClient) {
      if (res == MAX_CLIENT) continue; /* A full list drops a new sender. */
      sockets[nClient++] = destAddr;
    }
    if (nRecv > BUFSIZ - 1) {
#ifndef BREAK_SILENT_TRUNCATION
      fprintf(stderr, "warning: %s:%d sent %ld bytes, only the first %d are relayed\n",
              inet_ntoa(destAddr.sin_addr), ntohs(destAddr.sin_port), (long)nRecv, BUFSIZ - 1);
#endif
      nRecv = BUFSIZ - 1;
    }
    printf("nClient: %d \n", nClient);
#ifdef BREAK_WRONG_PREFIX
    sprintf(nameBuff, "%s:%d> ", inet_ntoa(destAddr.sin_addr), ntohs(destAddr.sin_port));
#else
    sprintf(nameBuff, "%s: %d>> ", inet_ntoa(destAddr.sin_addr), ntohs(destAddr.sin_port));
#endif
    for (i = 0; i < nClient; i++) {
      if (i == res) continue; /* The sender does not get its own message. */
      sendto(mySock, nameBuff, strlen(nameBuff), 0, (struct sockaddr *)&sockets[i],
             sizeof sockets[i]);
      sendto(mySock, buff, (size_t)nRecv, 0, (struct sockaddr *)&sockets[i], sizeof sockets[i]);
    }
  }
}

/* lecture_chat_server.c: the lecture's ChatServer.c as written: usage without a newline and
 * exit 0, atoi ports, no `listening on` line, recvfrom(BUFSIZ-1) that cuts an oversized
 * datagram without a word, and death by SIGTERM. Its known bugs must come out as named
 * deviations and every other check must pass.
 * Only change: it binds 127.0.0.1, not INADDR_ANY, so the kit's tests stay on loopback. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENT 10

static void errProc(const char *str) {
  fprintf(stderr, "%s: %s \n", str, strerror(errno));
  exit(1);
}

static int checkSockList(struct sockaddr_in *entry, struct sockaddr_in *list, int count) {
  int i = 0;
  for (i = 0; i < count; i++) {
    if (memcmp(list + i, entry, sizeof(struct sockaddr_in)) == 0) return i;
  }
  return i;
}

int main(int argc, char **argv) {
  int mySock, res;
  ssize_t nRecv;
  char buff[BUFSIZ];
  char nameBuff[50];
  char *strAddr;
  struct sockaddr_in srcAddr, destAddr;
  socklen_t addrLen;
  int nClient = 0, i = 0;
  struct sockaddr_in sockets[MAX_CLIENT];

  if (argc != 2) {
    fprintf(stderr, "Usage: %s Port", argv[0]);
    return 0;
  }
  memset(&sockets, 0, sizeof(sockets[0]) * MAX_CLIENT);
  mySock = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  if (mySock == -1) errProc("socket");
  memset(&srcAddr, 0, sizeof(srcAddr));
  srcAddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  srcAddr.sin_family = AF_INET;
  srcAddr.sin_port = htons((unsigned short)atoi(argv[1]));
  res = bind(mySock, (struct sockaddr *)&srcAddr, sizeof(srcAddr));
  if (res == -1) errProc("bind");
  addrLen = sizeof(destAddr);
  while (1) {
    nRecv = recvfrom(mySock, buff, BUFSIZ - 1, 0, (struct sockaddr *)&destAddr, &addrLen);
    if (nRecv == -1) errProc("recvfrom");
    res = checkSockList(&destAddr, sockets, nClient);
    if (res == nClient) {
      if (res == MAX_CLIENT) continue;
      memcpy(&sockets[res], &destAddr, sizeof(destAddr));
      nClient++;
    }
    printf("nClient: %d \n", nClient);
    strAddr = inet_ntoa(destAddr.sin_addr);
    sprintf(nameBuff, "%s: %d>> ", strAddr, ntohs(destAddr.sin_port));
    for (i = 0; i < nClient; i++) {
      if (i == res) continue;
      sendto(mySock, nameBuff, strlen(nameBuff), 0, (struct sockaddr *)&sockets[i], addrLen);
      sendto(mySock, buff, (size_t)nRecv, 0, (struct sockaddr *)&sockets[i], addrLen);
    }
  }
  return 0;
}

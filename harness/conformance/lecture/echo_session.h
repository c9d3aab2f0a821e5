/* echo_session.h: T2 for the lecture-style servers: read up to BUFSIZ-1 bytes, print
 * `Client(PORT): DATA`, write back every byte read (NULs included, short writes completed); a
 * reset or any error ends the session with a line on stderr. */
#ifndef NETREF_HARNESS_CONFORMANCE_LECTURE_ECHO_SESSION_H_
#define NETREF_HARNESS_CONFORMANCE_LECTURE_ECHO_SESSION_H_

#include "lecture_style.h"

static inline void EchoSession(int clntSd, int port) {
  char rBuff[BUFSIZ];
  ssize_t readLen;
  while ((readLen = read(clntSd, rBuff, sizeof(rBuff) - 1)) != 0) {
    ssize_t done = 0;
    if (readLen < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "read: %s \n", strerror(errno));
      break;
    }
    rBuff[readLen] = '\0';
    printf("Client(%d): %s\n", port, rBuff);
#ifdef BREAK_STRLEN_ECHO
    readLen = (ssize_t)strlen(rBuff); /* The lecture's bug: the echo stops at a NUL byte. */
#endif
    while (done < readLen) {
      ssize_t n = write(clntSd, rBuff + done, (size_t)(readLen - done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        fprintf(stderr, "write: %s \n", strerror(errno));
        return;
      }
      done += n;
    }
  }
  printf("Client(%d): is disconnected\n", port);
}

#endif /* NETREF_HARNESS_CONFORMANCE_LECTURE_ECHO_SESSION_H_ */

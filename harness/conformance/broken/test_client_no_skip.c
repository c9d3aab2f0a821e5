/* test_client_no_skip.c: the test client without the lecture's `if (readLen < 2) continue;`:
 * an empty line is "sent" (zero bytes) and its empty echo printed. The kit must report T5
 * (short lines) failing and pass every other clause. */
#include "common.h"

#include <stdlib.h>

int main(int argc, char **argv) {
  struct sockaddr_in server;
  char line[BUFSIZ], echo[BUFSIZ];
  int fd;
  if (argc != 3 || inet_aton(argv[1], &server.sin_addr) == 0) {
    fprintf(stderr, "Usage: %s IP Port\n", argv[0]);
    return 2;
  }
  server.sin_family = AF_INET;
  server.sin_port = htons((unsigned short)ParsePortOrExit(argc, argv, 3, "Usage: %s IP Port\n"));
  fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&server, sizeof server) != 0) {
    perror("connect");
    return 1;
  }
  while (fgets(line, sizeof line, stdin) != NULL) {
    size_t length = strlen(line), got = 0;
    if (length > 0 && line[length - 1] == '\n') line[--length] = '\0';
    /* The bug: no skip of lines shorter than 2 bytes with their newline. */
    if (write(fd, line, length) < 0) return 1;
    if (strcmp(line, "END") == 0) break;
    while (got < length) {
      ssize_t n = read(fd, echo + got, length - got);
      if (n <= 0) return 1;
      got += (size_t)n;
    }
    echo[got] = '\n';
    if (write(STDOUT_FILENO, echo, got + 1) < 0) return 1;
  }
  close(fd);
  return 0;
}

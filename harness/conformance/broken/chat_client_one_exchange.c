/* chat_client_one_exchange.c: a chat client that quits after one exchange: it sends its first
 * stdin line, writes the two datagrams it gets back to stdout, and exits. It closes stdin
 * before it writes, so by the time the kit has read those bytes no process reads the kit's
 * stdin pipe any more: the kit's next write to it meets a pipe with no reader, every time.
 * The kit must report the failures and live (a write there raises SIGPIPE, which must not
 * kill the kit). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
  struct sockaddr_in server;
  char line[BUFSIZ], datagrams[2][BUFSIZ];
  ssize_t sizes[2];
  int fd, i;
  memset(&server, 0, sizeof server);
  if (argc != 3 || inet_pton(AF_INET, argv[1], &server.sin_addr) != 1) {
    fprintf(stderr, "Usage: %s IP Port\n", argv[0]);
    return 2;
  }
  server.sin_family = AF_INET;
  server.sin_port = htons((unsigned short)atoi(argv[2]));
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0 || fgets(line, sizeof line, stdin) == NULL) return 1;
  sendto(fd, line, strlen(line), 0, (struct sockaddr *)&server, sizeof server);
  for (i = 0; i < 2; ++i) {
    sizes[i] = recv(fd, datagrams[i], sizeof datagrams[i], 0);
    if (sizes[i] < 0) return 1;
  }
  close(STDIN_FILENO); /* Before the kit can see the output below. */
  for (i = 0; i < 2; ++i) {
    if (write(STDOUT_FILENO, datagrams[i], (size_t)sizes[i]) != sizes[i]) return 1;
  }
  return 0;
}

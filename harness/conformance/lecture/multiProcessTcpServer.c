/* multiProcessTcpServer.c, lecture style and correct: the fork-per-client echo server (T2, T3,
 * T4): the child closes the listener and serves one client; the parent closes the client's
 * socket and reaps every child from a SIGCHLD handler (the lecture's zombie section). */
#include <signal.h>
#include <sys/wait.h>

#include "echo_session.h"

/* T4: signals coalesce, so reap until nothing is left; waitpid may change errno. */
static void sigchld_handler(int sig) {
  int saved = errno;
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

int main(int argc, char **argv) {
  int srvSd, clntSd, port;
  struct sockaddr_in clntAddr;
  socklen_t clntAddrLen;
  struct sigaction action;
  pid_t pid;

#ifndef BREAK_STDOUT_BUFFERED
  setvbuf(stdout, NULL, _IOLBF, 0); /* Nothing left in the buffer for a child to copy. */
#endif
  if (argc != 2 || (port = ParsePort(argv[1])) < 0) UsageExit("Usage: %s [port] \n", argv[0]);
  memset(&action, 0, sizeof action);
  action.sa_handler = sigchld_handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART; /* accept is restarted after a SIGCHLD. */
#ifndef BREAK_NEVER_REAPS
  sigaction(SIGCHLD, &action, NULL);
#endif
  printf("Server start...\n");
  srvSd = ServerSocket(SOCK_STREAM, port, 5);
  while (1) {
    clntAddrLen = sizeof(clntAddr);
    clntSd = accept(srvSd, (struct sockaddr *)&clntAddr, &clntAddrLen);
    if (clntSd == -1) {
      if (errno != EINTR) fprintf(stderr, "accept: %s \n", strerror(errno));
      continue;
    }
    printf("client %s:%d is connected...\n", inet_ntoa(clntAddr.sin_addr),
           ntohs(clntAddr.sin_port));
    pid = fork();
    if (pid == 0) {
      close(srvSd); /* The child closes the listener. */
      signal(SIGPIPE, SIG_IGN);
      EchoSession(clntSd, ntohs(clntAddr.sin_port));
      close(clntSd);
#ifdef BREAK_NEVER_REAPS
      usleep(50000); /* A child that takes 50 ms to exit: no zombie yet at a first look. */
#endif
      exit(0);
    } else if (pid == -1) {
      fprintf(stderr, "fork: %s \n", strerror(errno)); /* One client lost, not the server. */
    }
    close(clntSd); /* The parent closes the client's socket. */
  }
}

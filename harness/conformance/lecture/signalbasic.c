/* signalbasic.c, lecture style and correct: the lives demo (S1). Each SIGINT costs a life and
 * prints `Received SIGINT... N Lives Left`; after the 10th, SIGINT's default action is back and
 * the 11th ends the program. The handler counts each delivery itself and prints with write(2)
 * (printf in a handler, as the lecture does, is not async-signal-safe). */
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t global_count = 10;

static void sigint_handler(int sig) {
  char line[64] = "Received SIGINT... ";
  size_t n = strlen(line);
  int lives = global_count--;
  (void)sig;
  if (lives >= 10) line[n++] = (char)('0' + lives / 10);
  line[n++] = (char)('0' + lives % 10);
  memcpy(line + n, " Lives Left \n", 13);
  if (write(1, line, n + 13) < 0) {
  }
  if (global_count <= 0) signal(SIGINT, SIG_DFL); /* The 11th SIGINT acts as default. */
}

int main(void) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = sigint_handler;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);
  while (1) pause();
}

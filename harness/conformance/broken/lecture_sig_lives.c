/* lecture_sig_lives.c: the lecture's signalbasic.c as written (printf in the handler, signal()).
 * Its printf is not async-signal-safe, but nothing a peer can see shows it: the kit must pass it
 * on S1. The lecture's main loop body is lost in the OCR; it waits here with pause(). */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int global_count = 10;

void sigint_handler(int sig) {
  if (sig == SIGINT) {
    printf("Received SIGINT... %d Lives Left \n", global_count--);
    if (global_count <= 0) signal(SIGINT, SIG_DFL); /* The 11th SIGINT acts as default. */
  }
}

int main(void) {
  signal(SIGINT, sigint_handler);
  while (1) pause();
}

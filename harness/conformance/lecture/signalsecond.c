/* signalsecond.c, lecture style and correct: the ignore demo (S2): SIGINT ignored with
 * sigaction for a five-second countdown, the old action restored afterwards (the lecture keeps
 * it but never restores it), exit status 1 as the lecture's. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int i = 5;
  struct sigaction new_action, old_action;
  setvbuf(stdout, NULL, _IOLBF, 0);
  new_action.sa_handler = SIG_IGN;
  sigemptyset(&new_action.sa_mask);
  new_action.sa_flags = 0;
  sigaction(SIGINT, &new_action, &old_action);
  while (1) {
    printf("%d: sleep and awake \n", i--);
    sleep(1);
    if (i == 0) break;
  }
  sigaction(SIGINT, &old_action, NULL);
  return 1;
}

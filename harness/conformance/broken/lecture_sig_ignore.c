/* lecture_sig_ignore.c: the lecture's signalsecond.c as written: SIGINT ignored with sigaction,
 * a five-second countdown, exit 1 (it never restores old_action). The kit must pass it on S2. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int i = 5;
  struct sigaction new_action, old_action;
  new_action.sa_handler = SIG_IGN;
  sigemptyset(&new_action.sa_mask);
  new_action.sa_flags = 0;
  sigaction(SIGINT, &new_action, &old_action);
  while (1) {
    printf("%d: sleep and awake \n", i--);
    sleep(1);
    if (i == 0) break;
  }
  return 1;
}

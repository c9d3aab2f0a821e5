/* chat_capacity_11.c: a chat server whose client list holds 11, not MAX_CLIENT = 10 (an
 * off-by-one). The kit must report C2 (capacity) failing and pass every other clause. */
#include "common.h"

int main(int argc, char **argv) { return ChatServerMain(argc, argv, 11, 0); }

/* chat_relay_to_sender.c: a chat server that also relays each message back to its sender.
 * The kit must report C4 (relay) failing and pass every other clause. */
#include "common.h"

int main(int argc, char **argv) { return ChatServerMain(argc, argv, 10, 1); }

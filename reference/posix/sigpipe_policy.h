// sigpipe_policy.h: the one home of the SIGPIPE policy.
//
// SIGPIPE is ignored once, at the start of every program that writes to a peer or a pipe: a
// write to a vanished peer (or a closed console) then fails with EPIPE where it happens,
// instead of killing the process. Forked children inherit the ignore (and so would a program
// they exec'd: an ignored signal stays ignored across exec; nothing in netref execs).
#ifndef NETREF_REFERENCE_POSIX_SIGPIPE_POLICY_H_
#define NETREF_REFERENCE_POSIX_SIGPIPE_POLICY_H_

namespace netref::posix {

void IgnoreSigpipe();

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_SIGPIPE_POLICY_H_

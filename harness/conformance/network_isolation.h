// network_isolation.h: --isolate: the calling process (and everything it starts afterwards)
// moves into a fresh network namespace whose only interface is loopback, brought up. Programs
// under test can then reach nothing but 127.0.0.1 and each other, and two graders in two
// namespaces never share a port. Needs root (CAP_SYS_ADMIN); must be called while the process
// is single-threaded and before it starts anything.
#ifndef NETREF_HARNESS_CONFORMANCE_NETWORK_ISOLATION_H_
#define NETREF_HARNESS_CONFORMANCE_NETWORK_ISOLATION_H_

#include <optional>
#include <string>

namespace netref::conformance {

// nullopt on success, else why not ("unshare(CLONE_NEWNET): Operation not permitted").
std::optional<std::string> EnterPrivateNetwork();

}  // namespace netref::conformance

#endif  // NETREF_HARNESS_CONFORMANCE_NETWORK_ISOLATION_H_

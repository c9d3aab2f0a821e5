// errno_status_test.cc: errors as values at the POSIX edge (G1): an errno travels with its
// Status, so a caller can tell EAGAIN from a reset, and its message is the one printed.
#include "reference/posix/errno_status.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "absl/status/status.h"

namespace netref::posix {
namespace {

TEST(G1ErrnoStatus, TheErrnoOfAFailedCallTravelsWithItsStatus) {
  // Claim: ErrnoOf gives back the errno that ErrnoError was made from, whatever the code it maps
  // to, so that EAGAIN and ECONNRESET are told apart after the Status has been passed up.
  for (int err : {EAGAIN, ECONNRESET, EPIPE, EMFILE, EINTR}) {
    EXPECT_EQ(ErrnoOf(ErrnoError(err, "read")), err) << err;
  }
}

TEST(G1ErrnoStatus, AStatusNotMadeFromAnErrnoHasNone) {
  // Claim: a Status from elsewhere (an OK one, a core error) has errno 0, never a stale one.
  EXPECT_EQ(ErrnoOf(absl::OkStatus()), 0);
  EXPECT_EQ(ErrnoOf(absl::UnavailableError("the receiving process ended")), 0);
}

TEST(G1ErrnoStatus, TheMessageNamesTheCallAndTheSystemsReason) {
  // Claim: the message printed at the edge is `call: strerror`, as the lecture's perror.
  EXPECT_EQ(MessageOf(ErrnoError(ECONNRESET, "write")), "write: Connection reset by peer");
  EXPECT_EQ(MessageOf(absl::UnavailableError("gone")), "gone");
}

}  // namespace
}  // namespace netref::posix

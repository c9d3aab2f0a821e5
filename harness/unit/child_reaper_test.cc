// child_reaper_test.cc: the one child-owner contract (G5, T4): destroyed with children still
// alive, an owner ends and reaps them, and it never signals a pid it no longer owns.
//
// Real children, forked by this single-threaded test process; each one waits in pause() until
// it is killed, so only the code under test can end it. Must not: leave a child unreaped.
#include "reference/posix/child_reaper.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace netref::testing {
namespace {

// A child that waits to be killed.
pid_t ForkPausingChild() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    while (true) ::pause();
  }
  EXPECT_GT(pid, 0);
  return pid;
}

// True if `pid` was reaped already (it is no child of ours any more), reaping it if it is a
// zombie now, so the test leaves nothing behind either way.
bool AlreadyReaped(pid_t pid) {
  int raw = 0;
  const pid_t done = ::waitpid(pid, &raw, WNOHANG);
  if (done == pid) return false;  // It was a zombie: ended, but nobody had reaped it.
  if (done == 0) {                // Still running: end it here so the test leaves nothing.
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &raw, 0);
    return false;
  }
  return errno == ECHILD;
}

TEST(G5ChildReaper, DestroyedWithLiveChildrenItEndsAndReapsThemAll) {
  // Claim: a ChildReaper that goes out of scope with live children (an early return from a
  // server loop) kills and reaps every one: none is left running or as a zombie.
  std::vector<pid_t> pids;
  {
    posix::ChildReaper children;
    for (int i = 0; i < 3; ++i) {
      pids.push_back(ForkPausingChild());
      children.Add(pids.back());
    }
  }
  for (pid_t pid : pids) EXPECT_TRUE(AlreadyReaped(pid)) << "child " << pid;
}

TEST(G5ChildHandle, MoveAssignmentEndsAndReapsTheChildItReplaces) {
  // Claim: assigning a handle over one that owns a live child kills and reaps that child; the
  // target then owns the moved child and the source owns nothing.
  const pid_t first = ForkPausingChild();
  const pid_t second = ForkPausingChild();
  posix::ChildHandle target(first);
  posix::ChildHandle source(second);
  target = std::move(source);
  EXPECT_TRUE(AlreadyReaped(first));
  EXPECT_EQ(target.pid(), second);
  EXPECT_FALSE(source.running());  // NOLINT(bugprone-use-after-move): the contract under test.
  ASSERT_TRUE(target.Signal(SIGKILL).ok());
  absl::StatusOr<core::WaitStatus> status = target.Wait();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->KilledBy(SIGKILL));
  EXPECT_FALSE(target.running());
}

TEST(G5ChildHandle, AFailedWaitForgetsThePid) {
  // Claim: when waiting fails (the pid is no child of ours: reaped elsewhere), the handle
  // forgets the pid, so its destructor cannot kill a process that later reuses that number.
  const pid_t pid = ForkPausingChild();
  ::kill(pid, SIGKILL);
  int raw = 0;
  ASSERT_EQ(::waitpid(pid, &raw, 0), pid);  // Reaped behind the handle's back.
  posix::ChildHandle handle(pid);
  EXPECT_FALSE(handle.Wait().ok());
  EXPECT_FALSE(handle.running()) << "the handle still owns a pid it cannot wait for";
}

}  // namespace
}  // namespace netref::testing

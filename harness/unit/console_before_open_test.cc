// console_before_open_test.cc: the console before Console::Open (G3), as a test binary or any
// code that links the POSIX layer without being a program sees it: a line is written plainly,
// whole and in one record with its newline, to the very fd 1 or 2 the process has, and nothing
// is counted as dropped.
//
// The test points its own fd 1 and fd 2 at a pipe for the length of one call, and reads the
// record back.
#include <gtest/gtest.h>
#include <limits.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "reference/posix/console.h"

namespace netref::posix {
namespace {

// What `write` puts on `fd` (1 or 2) while that fd is a pipe.
std::string Captured(int fd, const std::function<void()>& write) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "<no pipe>";
  const int saved = ::dup(fd);
  ::dup2(pipe_fds[1], fd);
  write();
  ::dup2(saved, fd);
  ::close(saved);
  ::close(pipe_fds[1]);
  std::string bytes;
  char buffer[8192];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_fds[0]);
  return bytes;
}

TEST(G3ConsoleBeforeOpen, ALineGoesToStdoutAndAnErrorToStderrWithTheDefaultName) {
  // Claim: before Open, Line writes `LINE\n` to fd 1 and Error writes `netref: MESSAGE\n` to
  // fd 2 (the name Open would set is not known yet), and Detail is silenced by quiet.
  const Console console(/*quiet=*/true);
  EXPECT_EQ(Captured(STDOUT_FILENO, [&] { console.Line("listening on 127.0.0.1:7"); }),
            "listening on 127.0.0.1:7\n");
  EXPECT_EQ(Captured(STDOUT_FILENO, [&] { console.Detail("Client(7): hi"); }), "");
  EXPECT_EQ(Captured(STDERR_FILENO, [] { Console::Error("accept: Bad file descriptor"); }),
            "netref: accept: Bad file descriptor\n");
  EXPECT_EQ(Console::dropped_stdout(), 0u);
  EXPECT_EQ(Console::dropped_stderr(), 0u);
}

TEST(G3ConsoleBeforeOpen, ALongLineIsCutToOneAtomicRecord) {
  // Claim: a line longer than a pipe's atomic write is cut (with its marker) to PIPE_BUF bytes
  // with the newline, before Open as after.
  const Console console(/*quiet=*/false);
  const std::string record =
      Captured(STDOUT_FILENO, [&] { console.Line(std::string(3 * PIPE_BUF, 'z')); });
  EXPECT_EQ(record.size(), static_cast<std::size_t>(PIPE_BUF));
  EXPECT_EQ(record.back(), '\n');
  EXPECT_EQ(record.find('\n'), record.size() - 1) << "one line, one newline";
}

}  // namespace
}  // namespace netref::posix

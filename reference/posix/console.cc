// console.cc
#include "reference/posix/console.h"

#include <unistd.h>

#include <string>

#include "reference/posix/io.h"

namespace netref::posix {
namespace {

std::string& ProgramName() {
  static std::string name = "netref";
  return name;
}

void WriteLine(int fd, std::string_view prefix, std::string_view line) {
  std::string whole;
  whole.reserve(prefix.size() + line.size() + 1);
  whole.append(prefix).append(line).push_back('\n');
  (void)WriteAll(fd, whole);  // A console that is gone must not stop the server.
}

}  // namespace

void Console::Line(std::string_view line) const { WriteLine(STDOUT_FILENO, "", line); }

void Console::Detail(std::string_view line) const {
  if (!quiet_) WriteLine(STDOUT_FILENO, "", line);
}

void Console::Error(std::string_view message) {
  WriteLine(STDERR_FILENO, ProgramName() + ": ", message);
}

void Console::SetProgramName(std::string_view argv0) {
  const std::size_t slash = argv0.rfind('/');
  ProgramName() = std::string(slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1));
}

}  // namespace netref::posix

// console.h: where the programs' console lines go.
//
// Each line is one write(2) of the whole line and its newline to stdout, so the lines of a
// fork server's children and parent never interleave mid-line, and nothing sits in a stdio
// buffer to be copied by fork or lost by _exit. A console that is gone (closed pipe) is not an
// error: the server goes on serving.
#ifndef NETREF_REFERENCE_POSIX_CONSOLE_H_
#define NETREF_REFERENCE_POSIX_CONSOLE_H_

#include <string_view>

namespace netref::posix {

class Console {
 public:
  explicit Console(bool quiet) : quiet_(quiet) {}

  // A line always printed: start, listening, connect, disconnect.
  void Line(std::string_view line) const;

  // G3: a per-message line, silenced by --quiet.
  void Detail(std::string_view line) const;

  // A diagnostic on stderr, prefixed with the program's name.
  static void Error(std::string_view message);

  // The program's short name for Error's prefix (set once by main from argv[0]).
  static void SetProgramName(std::string_view argv0);

 private:
  bool quiet_;
};

}  // namespace netref::posix

#endif  // NETREF_REFERENCE_POSIX_CONSOLE_H_

// console_lines.cc: the one place a console line is cut to fit a pipe write (G3).
#include "reference/core/console_lines.h"

namespace netref::core {

std::string FitConsoleLine(std::string line, std::string_view marker) {
  if (line.size() <= kMaxConsoleLine) return line;
  const std::size_t keep = marker.size() < kMaxConsoleLine ? kMaxConsoleLine - marker.size() : 0;
  line.resize(keep);
  line.append(marker.substr(0, kMaxConsoleLine - keep));
  return line;
}

}  // namespace netref::core

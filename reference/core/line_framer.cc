// line_framer.cc: T5's framing rules.
#include "reference/core/line_framer.h"

namespace netref::core {

void TestClientFramer::Take(std::string line, std::size_t with_newline,
                            std::vector<std::string>& out) {
  if (ended_) return;
  if (with_newline < 2) return;  // T5: `if(readLen<2) continue;`
  ended_ = line == "END";
  out.push_back(std::move(line));
}

std::vector<std::string> TestClientFramer::Feed(std::string_view bytes) {
  std::vector<std::string> messages;
  while (!ended_ && !bytes.empty()) {
    const std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      partial_.append(bytes);
      break;
    }
    partial_.append(bytes.substr(0, newline));
    bytes.remove_prefix(newline + 1);
    std::string line = std::move(partial_);
    partial_.clear();
    const std::size_t with_newline = line.size() + 1;
    Take(std::move(line), with_newline, messages);
  }
  return messages;
}

std::vector<std::string> TestClientFramer::Finish() {
  std::vector<std::string> messages;
  std::string line = std::move(partial_);
  partial_.clear();
  const std::size_t length = line.size();
  Take(std::move(line), length, messages);
  return messages;
}

}  // namespace netref::core

// echo_collector.cc: T5's echo reassembly.
#include "reference/core/echo_collector.h"

#include <algorithm>

namespace netref::core {

std::vector<std::string> EchoCollector::Feed(std::string_view bytes) {
  std::vector<std::string> done;
  while (!bytes.empty()) {
    if (expected_.empty()) {
      excess_.append(bytes);
      break;
    }
    const std::size_t want = expected_.front() - current_.size();
    const std::size_t take = std::min(want, bytes.size());
    current_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (current_.size() == expected_.front()) {
      done.push_back(std::move(current_));
      current_.clear();
      expected_.pop_front();
    }
  }
  return done;
}

}  // namespace netref::core

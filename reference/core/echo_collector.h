// echo_collector.h: the test client's reader of its echoes (T5).
//
// TCP has no message boundaries, so the client reads back as many bytes as it sent for each
// message, however the kernel splits them. Must not: do I/O.
#ifndef NETREF_REFERENCE_CORE_ECHO_COLLECTOR_H_
#define NETREF_REFERENCE_CORE_ECHO_COLLECTOR_H_

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace netref::core {

class EchoCollector {
 public:
  // `length` is at least 1: T5 never sends an empty message.
  void Expect(std::size_t length) { expected_.push_back(length); }

  // Takes received bytes; returns each echo completed by them, in order.
  // Bytes beyond every expected echo are kept as excess() (a server that sent too much).
  std::vector<std::string> Feed(std::string_view bytes);

  bool waiting() const { return !expected_.empty(); }
  const std::string& excess() const { return excess_; }

 private:
  std::deque<std::size_t> expected_;
  std::string current_;
  std::string excess_;
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_ECHO_COLLECTOR_H_

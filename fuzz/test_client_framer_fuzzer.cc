// test_client_framer_fuzzer.cc: T5, the test client's stdin framing and its echo reader.
//
// Input: a split pattern, then stdin bytes. Invariants: every message has no '\n' and at least
// one byte; END is the last message and ended() says so; feeding in pieces (empty Feeds
// included) equals feeding whole; the messages are exactly the lines of a plain model (split at
// '\n'; a line shorter than 2 bytes counting its newline is skipped: `if(readLen<2) continue;`;
// stop after END; at EOF a last line counts its own bytes). EchoCollector gives each message back
// whatever the split, and keeps what follows as excess. Must not: do I/O.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "reference/core/echo_collector.h"
#include "reference/core/line_framer.h"

namespace {

std::vector<std::string> ModelLines(std::string_view in) {
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < in.size();) {
    const std::size_t newline = in.find('\n', start);
    const std::size_t end = newline == std::string_view::npos ? in.size() : newline;
    const std::size_t counted = end - start + (newline == std::string_view::npos ? 0 : 1);
    if (counted >= 2) lines.emplace_back(in.substr(start, end - start));
    if (!lines.empty() && lines.back() == "END") break;
    start = end + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  netref::fuzz::FuzzInput input(data, size);
  netref::fuzz::SizePattern pieces(input, 8, 7);
  const std::string_view stdin_bytes = input.Rest();

  netref::core::TestClientFramer piecewise;
  std::vector<std::string> messages;
  std::string_view rest = stdin_bytes;
  const auto feed = [&](std::size_t n) {
    const std::string_view piece = rest.substr(0, n);
    rest.remove_prefix(piece.size());
    const bool ended_before = piecewise.ended();
    for (std::string& m : piecewise.Feed(piece)) {
      FUZZ_CHECK(!ended_before);  // Nothing after END.
      messages.push_back(std::move(m));
    }
  };
  while (!rest.empty()) {
    const std::size_t n = pieces.Next();
    feed(n);
    if (n == 0) feed(1);  // An empty Feed, then progress: an all-zero pattern must end.
  }
  for (std::string& m : piecewise.Finish()) messages.push_back(std::move(m));

  netref::core::TestClientFramer whole;
  std::vector<std::string> at_once = whole.Feed(stdin_bytes);
  for (std::string& m : whole.Finish()) at_once.push_back(std::move(m));
  FUZZ_CHECK(messages == at_once);
  FUZZ_CHECK(messages == ModelLines(stdin_bytes));
  for (std::size_t i = 0; i < messages.size(); ++i) {
    FUZZ_CHECK(!messages[i].empty() && messages[i].find('\n') == std::string::npos);
    FUZZ_CHECK(messages[i] != "END" || i + 1 == messages.size());
  }
  FUZZ_CHECK(piecewise.ended() == (!messages.empty() && messages.back() == "END"));

  // The echo reader: the server's bytes come back in arbitrary segments, with some excess.
  netref::core::EchoCollector collector;
  std::string echoed;
  for (const std::string& m : messages) {
    collector.Expect(m.size());
    echoed += m;
  }
  const std::string excess(stdin_bytes.substr(0, stdin_bytes.size() % 5));
  echoed += excess;
  std::vector<std::string> echoes;
  for (std::string_view unread = echoed; !unread.empty();) {
    const std::string_view segment = unread.substr(0, 1 + pieces.Next());
    unread.remove_prefix(segment.size());
    for (std::string& e : collector.Feed(segment)) echoes.push_back(std::move(e));
  }
  FUZZ_CHECK(echoes == messages);
  FUZZ_CHECK(!collector.waiting() && collector.excess() == excess);
  return 0;
}

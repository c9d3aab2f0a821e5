// line_framer_property_test.cc: T5's framing laws for core::TestClientFramer and
// core::EchoCollector, checked against an independent model of the lecture's stdin loop.
//
// Stdin is generated from a vocabulary biased to the edges: empty lines, one-byte lines, a last
// line with no newline, lines over 8191 bytes, NUL bytes, and END in its look-alikes (`ENDX`,
// ` END`, `END\r`, END in the middle of the input). Must not: do I/O.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "harness/property/generators.h"
#include "reference/core/echo_collector.h"
#include "reference/core/line_framer.h"

namespace netref::core {
namespace {

using property::ByteString;
using property::Cut;
using property::PiecePattern;

// The model: what the lecture's loop sends for `input`, written from T5's words alone.
// Every line (newline-terminated, or the unterminated rest at EOF) whose length, counting its
// newline if it has one, is at least 2, is sent without its newline; the first sent `END` is
// the last message.
struct ModelRun {
  std::vector<std::string> messages;
  bool ended = false;
};
ModelRun ModelFraming(std::string_view input) {
  ModelRun run;
  std::size_t start = 0;
  while (start < input.size() && !run.ended) {
    const std::size_t newline = input.find('\n', start);
    const bool terminated = newline != std::string_view::npos;
    const std::size_t end = terminated ? newline : input.size();
    const std::string line(input.substr(start, end - start));
    const std::size_t counted = line.size() + (terminated ? 1 : 0);
    if (counted >= 2) {
      run.messages.push_back(line);
      run.ended = line == "END";
    }
    start = end + 1;
  }
  return run;
}

// One piece of stdin from the edge vocabulary.
rc::Gen<std::string> StdinPiece() {
  return rc::gen::weightedOneOf<std::string>({
      {3, rc::gen::just(std::string("\n"))},   // empty line: skipped
      {2, rc::gen::just(std::string("a\n"))},  // 2 bytes with its newline: sent
      {2, rc::gen::just(std::string("a"))},    // joins the next piece's line
      {3, rc::gen::just(std::string("END\n"))},
      {1, rc::gen::just(std::string("END"))},  // END with no newline (at EOF: sent)
      {2, rc::gen::just(std::string("ENDX\n"))},
      {2, rc::gen::just(std::string(" END\n"))},
      {2, rc::gen::just(std::string("END\r\n"))},
      {2, rc::gen::just(std::string("a\0b\n", 4))},       // NUL inside a line
      {1, rc::gen::just(std::string("\0\n", 2))},         // NUL alone: 2 bytes, sent
      {1, rc::gen::just(std::string(8192, 'x') + "\n")},  // over the lecture's fgets buffer
      {4, ByteString(3 * 8191)},
  });
}

rc::Gen<std::string> Stdin() {
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(StdinPiece()),
                      [](const std::vector<std::string>& pieces) {
                        std::string joined;
                        for (const std::string& piece : pieces) joined += piece;
                        return joined;
                      });
}

// Feeds `input` to a fresh framer cut as `pattern` says, then EOF; returns all it sent.
ModelRun Frame(std::string_view input, const std::vector<std::size_t>& pattern) {
  TestClientFramer framer;
  ModelRun run;
  for (std::string_view piece : Cut(input, pattern)) {
    for (std::string& message : framer.Feed(piece)) run.messages.push_back(std::move(message));
  }
  for (std::string& message : framer.Finish()) run.messages.push_back(std::move(message));
  run.ended = framer.ended();
  return run;
}

// T5: the messages are exactly the lines of at least 2 bytes with their newline, without it, up
// to and including END.
RC_GTEST_PROP(T5TestClientFramer, SendsExactlyTheLinesOfTwoBytesOrMoreUpToEnd, ()) {
  const std::string input = *Stdin();
  const ModelRun expected = ModelFraming(input);
  const ModelRun actual = Frame(input, {input.size() + 1});
  RC_ASSERT(actual.messages == expected.messages);
  RC_ASSERT(actual.ended == expected.ended);

  bool long_line = false, has_nul = false;
  for (const std::string& message : actual.messages) {
    long_line |= message.size() > 8191;
    has_nul |= message.find('\0') != std::string::npos;
  }
  RC_CLASSIFY(expected.ended, "ends at END");
  RC_CLASSIFY(!input.empty() && input.back() != '\n', "no final newline");
  RC_CLASSIFY(long_line, "line over 8191 bytes");
  RC_CLASSIFY(has_nul, "NUL in a message");
  const std::string_view tail(input.data() + input.size() - std::min<std::size_t>(4, input.size()));
  RC_CLASSIFY(expected.ended && tail != "END\n" &&
                  (tail.size() < 3 || tail.substr(tail.size() - 3) != "END"),
              "input goes on after END");
}

// T5: feeding stdin in any pieces sends the same messages as feeding it whole.
RC_GTEST_PROP(T5TestClientFramer, AnySplitOfStdinSendsTheSameAsWhole, ()) {
  const std::string input = *Stdin();
  const auto pattern = *PiecePattern(64);
  const ModelRun whole = Frame(input, {input.size() + 1});
  const ModelRun split = Frame(input, pattern);
  RC_ASSERT(split.messages == whole.messages);
  RC_ASSERT(split.ended == whole.ended);
  RC_CLASSIFY(pattern.size() == 1 && pattern[0] == 1, "byte at a time");
}

// T5: the collector takes back exactly the bytes of each message, however the echo is cut, and
// keeps whatever a server sends beyond them as excess.
RC_GTEST_PROP(T5EchoCollector, TakesExactlyEachMessagesBytesHoweverTheEchoIsSplit, ()) {
  const auto messages =
      *rc::gen::container<std::vector<std::string>>(rc::gen::nonEmpty(ByteString(3 * 8191)));
  const std::string extra = *rc::gen::weightedOneOf<std::string>(
      {{4, rc::gen::just(std::string())}, {1, ByteString(100)}});
  const auto pattern = *PiecePattern(3 * 8191);

  EchoCollector collector;
  std::string stream;
  for (const std::string& message : messages) {
    collector.Expect(message.size());
    stream += message;
  }
  stream += extra;
  std::vector<std::string> echoes;
  for (std::string_view piece : Cut(stream, pattern)) {
    for (std::string& echo : collector.Feed(piece)) echoes.push_back(std::move(echo));
  }
  RC_ASSERT(echoes == messages);
  RC_ASSERT(collector.excess() == extra);
  RC_ASSERT(!collector.waiting());
  RC_CLASSIFY(!extra.empty(), "server sent too much");
  RC_CLASSIFY(Cut(stream, pattern).size() > messages.size(), "echo cut finer than messages");
  RC_CLASSIFY(Cut(stream, pattern).size() < messages.size(), "echo coalesced");
}

}  // namespace
}  // namespace netref::core

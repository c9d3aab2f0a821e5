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
#include "harness/property/required_cases.h"
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

// The length of `input` up to and including its first line that is exactly END (the model's
// last message), newline included if it has one.
std::size_t EndOfEnd(std::string_view input) {
  std::size_t start = 0;
  while (start < input.size()) {
    const std::size_t newline = input.find('\n', start);
    const std::size_t end = newline == std::string_view::npos ? input.size() : newline;
    if (input.substr(start, end - start) == "END") {
      return std::min(input.size(), end + 1);
    }
    start = end + 1;
  }
  return input.size();
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

// Stdin: pieces of the vocabulary, often with a last line of 1 or 2 bytes and no newline (at
// EOF, "a" is skipped and "ab" is sent: the skip rule's edge at EOF). In a quarter of the runs
// no END comes before that last line, so the edge is always reached there.
rc::Gen<std::string> Stdin() {
  const auto joined = [](const std::vector<std::string>& pieces, const std::string& tail) {
    std::string all;
    for (const std::string& piece : pieces) all += piece;
    return all + tail;
  };
  const auto tail = rc::gen::weightedOneOf<std::string>({{4, rc::gen::just(std::string())},
                                                         {1, rc::gen::just(std::string("a"))},
                                                         {1, rc::gen::just(std::string("ab"))}});
  const auto line_without_end =
      rc::gen::element<std::string>("\n", "a\n", "bc\n", std::string("a\0b\n", 4));
  return rc::gen::weightedOneOf<std::string>({
      {3, rc::gen::apply(joined, rc::gen::container<std::vector<std::string>>(StdinPiece()), tail)},
      {1, rc::gen::apply(joined, rc::gen::container<std::vector<std::string>>(line_without_end),
                         rc::gen::element<std::string>("a", std::string("\0", 1)))},
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

// The edges of T5's rules, each required in at least this share of the runs: about a fifth of
// what the generators reach (see required_cases.h).
const std::vector<property::RequiredCase> kFramingCases = {
    {"ends at END", 0.20},
    {"input goes on after END", 0.10},
    {"one-byte line sent", 0.10},  // 2 bytes with its newline: the skip rule's edge.
    {"empty line skipped", 0.10},  // 1 byte with its newline.
    {"one-byte last line skipped at EOF", 0.03},
    {"no final newline", 0.05},
    {"NUL in a message", 0.10},
    {"line over 8191 bytes", 0.03},
};

// T5: the messages are exactly the lines of at least 2 bytes with their newline, without it, up
// to and including END.
NETREF_PROP_REQUIRING(T5TestClientFramer, SendsExactlyTheLinesOfTwoBytesOrMoreUpToEnd,
                      kFramingCases, ()) {
  const std::string input = *Stdin();
  const ModelRun expected = ModelFraming(input);
  const ModelRun actual = Frame(input, {input.size() + 1});
  RC_ASSERT(actual.messages == expected.messages);
  RC_ASSERT(actual.ended == expected.ended);

  bool long_line = false, has_nul = false, one_byte = false;
  for (const std::string& message : actual.messages) {
    long_line |= message.size() > 8191;
    has_nul |= message.find('\0') != std::string::npos;
    one_byte |= message.size() == 1;
  }
  // Up to the first END: what comes after it is never looked at.
  const std::string_view read(input.data(), expected.ended ? EndOfEnd(input) : input.size());
  const std::size_t last_newline = read.rfind('\n');
  RC_CLASSIFY(read.substr(0, 1) == "\n" || read.find("\n\n") != std::string_view::npos,
              "empty line skipped");
  RC_CLASSIFY(one_byte, "one-byte line sent");
  RC_CLASSIFY(
      !expected.ended &&
          read.size() - (last_newline == std::string_view::npos ? 0 : last_newline + 1) == 1,
      "one-byte last line skipped at EOF");
  RC_CLASSIFY(expected.ended, "ends at END");
  RC_CLASSIFY(!input.empty() && input.back() != '\n', "no final newline");
  RC_CLASSIFY(long_line, "line over 8191 bytes");
  RC_CLASSIFY(has_nul, "NUL in a message");
  const std::string_view tail(input.data() + input.size() - std::min<std::size_t>(4, input.size()));
  RC_CLASSIFY(expected.ended && tail != "END\n" &&
                  (tail.size() < 3 || tail.substr(tail.size() - 3) != "END"),
              "input goes on after END");
}

const std::vector<property::RequiredCase> kSplitCases = {{"byte at a time", 0.05}};

// T5: feeding stdin in any pieces sends the same messages as feeding it whole.
NETREF_PROP_REQUIRING(T5TestClientFramer, AnySplitOfStdinSendsTheSameAsWhole, kSplitCases, ()) {
  const std::string input = *Stdin();
  // A byte at a time in a quarter of the runs: the split that cuts every line everywhere.
  const auto pattern = *rc::gen::weightedOneOf<std::vector<std::size_t>>(
      {{1, rc::gen::just(std::vector<std::size_t>{1})}, {3, PiecePattern(64)}});
  const ModelRun whole = Frame(input, {input.size() + 1});
  const ModelRun split = Frame(input, pattern);
  RC_ASSERT(split.messages == whole.messages);
  RC_ASSERT(split.ended == whole.ended);
  RC_CLASSIFY(pattern.size() == 1 && pattern[0] == 1, "byte at a time");
}

const std::vector<property::RequiredCase> kCollectorCases = {
    {"server sent too much", 0.03},
    {"echo cut finer than messages", 0.10},
    {"echo coalesced", 0.10},
};

// T5: the collector takes back exactly the bytes of each message, however the echo is cut, and
// keeps whatever a server sends beyond them as excess.
NETREF_PROP_REQUIRING(T5EchoCollector, TakesExactlyEachMessagesBytesHoweverTheEchoIsSplit,
                      kCollectorCases, ()) {
  const auto messages =
      *rc::gen::container<std::vector<std::string>>(rc::gen::nonEmpty(ByteString(3 * 8191)));
  const std::string extra = *rc::gen::weightedOneOf<std::string>(
      {{4, rc::gen::just(std::string())}, {1, ByteString(100)}});
  // Small pieces cut messages apart, large ones put several into one receive.
  const auto pattern = *rc::gen::weightedOneOf<std::vector<std::size_t>>(
      {{1, PiecePattern(16)}, {1, PiecePattern(3 * 8191)}});

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

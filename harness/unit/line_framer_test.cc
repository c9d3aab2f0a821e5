// line_framer_test.cc: T5, the test client's stdin framing and echo reassembly.
#include "reference/core/line_framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference/core/echo_collector.h"

namespace netref::core {
namespace {

std::vector<std::string> FrameWhole(const std::string& input) {
  TestClientFramer framer;
  std::vector<std::string> messages = framer.Feed(input);
  for (std::string& last : framer.Finish()) messages.push_back(last);
  return messages;
}

TEST(T5Framing, SkipsLinesShorterThanTwoBytesWithNewline) {
  // Claim: a bare `\n` is skipped (readLen 1 < 2); `a\n` (2 bytes) is sent as `a`.
  EXPECT_EQ(FrameWhole("\n\na\nab\n"), (std::vector<std::string>{"a", "ab"}));
}

TEST(T5Framing, SendsLinesWithoutNewlineAndStopsAfterEnd) {
  // Claim: END is sent, and nothing after it.
  EXPECT_EQ(FrameWhole("hello\nworld\nEND\nafter\n"),
            (std::vector<std::string>{"hello", "world", "END"}));
}

TEST(T5Framing, OnlyTheExactLineEndEnds) {
  // Claim: ENDX, " END" and "END\r" are ordinary messages.
  EXPECT_EQ(FrameWhole("ENDX\n END\nEND\r\n"), (std::vector<std::string>{"ENDX", " END", "END\r"}));
}

TEST(T5Framing, LastLineWithoutNewlineCountsItsOwnBytes) {
  // Claim (deviation): at EOF, "ab" is sent whole, "a" is skipped.
  EXPECT_EQ(FrameWhole("x1\nab"), (std::vector<std::string>{"x1", "ab"}));
  EXPECT_EQ(FrameWhole("x1\na"), (std::vector<std::string>{"x1"}));
}

TEST(T5Framing, LongLinesAndNulBytesAreSentWhole) {
  // Claim (deviation from fgets/strlen): a 20,000-byte line and a line with NUL are one message.
  const std::string long_line(20000, 'z');
  const std::string with_nul("a\0b", 3);
  EXPECT_EQ(FrameWhole(long_line + "\n" + with_nul + "\n"),
            (std::vector<std::string>{long_line, with_nul}));
}

TEST(T5Framing, ByteAtATimeEqualsWhole) {
  // Claim: feeding stdin one byte at a time frames exactly as feeding it whole.
  const std::string input = "one\n\nb\ntwo\nEND\nthree\n";
  TestClientFramer framer;
  std::vector<std::string> messages;
  for (char c : input) {
    for (std::string& m : framer.Feed(std::string(1, c))) messages.push_back(m);
  }
  EXPECT_EQ(messages, FrameWhole(input));
  EXPECT_TRUE(framer.ended());
}

TEST(T5EchoCollector, ReassemblesEchoesAcrossAnySplit) {
  // Claim: echoes come back by length, whatever the kernel's segment boundaries.
  EchoCollector collector;
  collector.Expect(3);
  collector.Expect(2);
  EXPECT_TRUE(collector.Feed("a").empty());
  EXPECT_EQ(collector.Feed("bcd"), (std::vector<std::string>{"abc"}));
  EXPECT_EQ(collector.Feed("e"), (std::vector<std::string>{"de"}));
  EXPECT_FALSE(collector.waiting());
  EXPECT_TRUE(collector.excess().empty());
  collector.Feed("!");
  EXPECT_EQ(collector.excess(), "!");
}

}  // namespace
}  // namespace netref::core

// chat_input_test.cc: C7, the chat client's stdin framing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference/core/chat_input.h"

namespace netref::core {
namespace {

std::vector<std::string> FrameWhole(const std::string& input) {
  ChatInputFramer framer;
  std::vector<std::string> datagrams = framer.Feed(input);
  for (std::string& last : framer.Finish()) datagrams.push_back(last);
  return datagrams;
}

TEST(C7Framing, EachLineIsOneDatagramNewlineIncluded) {
  // Claim: lines keep their newline; an empty line is sent as "\n".
  EXPECT_EQ(FrameWhole("hello\n\nworld\n"), (std::vector<std::string>{"hello\n", "\n", "world\n"}));
}

TEST(C7Framing, EndIsSentAndNothingAfterIt) {
  // Claim: "END\n" is the last datagram; bytes after it are never sent.
  ChatInputFramer framer;
  EXPECT_EQ(framer.Feed("a\nEND\nb\n"), (std::vector<std::string>{"a\n", "END\n"}));
  EXPECT_TRUE(framer.ended());
  EXPECT_TRUE(framer.Feed("more\n").empty());
  EXPECT_TRUE(framer.Finish().empty());
}

TEST(C7Framing, OnlyTheExactEndLineEnds) {
  // Claim: "ENDX", " END" and "END\r" are ordinary lines.
  ChatInputFramer framer;
  framer.Feed("ENDX\n END\nEND\r\n");
  EXPECT_FALSE(framer.ended());
}

TEST(C7Framing, PiecesFedByteByByteGiveTheSameDatagrams) {
  // Claim: the framing does not depend on how stdin's bytes arrive.
  const std::string input = "one\n\ntwo\nEND\nthree\n";
  ChatInputFramer framer;
  std::vector<std::string> datagrams;
  for (char c : input) {
    for (std::string& d : framer.Feed(std::string(1, c))) datagrams.push_back(d);
  }
  EXPECT_EQ(datagrams, FrameWhole(input));
}

TEST(C7Framing, EofSendsAnUnterminatedLastLineAndEnds) {
  // Claim: at EOF a partial last line is sent as is (fgets returns it); END is not sent.
  ChatInputFramer framer;
  EXPECT_EQ(framer.Feed("a\nlast"), std::vector<std::string>{"a\n"});
  EXPECT_EQ(framer.Finish(), std::vector<std::string>{"last"});
  EXPECT_TRUE(framer.ended());
  ChatInputFramer empty;
  EXPECT_TRUE(empty.Finish().empty());
}

TEST(C7Framing, LongLinesAreCutLikeFgets) {
  // Claim: fgets(buff, BUFSIZ-1) returns at most 8190 bytes, so a longer line is sent in
  // pieces of 8190 bytes, each fitting the server's 8191-byte buffer. The sizes are the
  // lecture's numbers, written out: a test that used kMaxChatPiece would follow it anywhere.
  const std::string line(20000, 'x');
  const std::vector<std::string> datagrams = FrameWhole(line + "\n");
  ASSERT_EQ(datagrams.size(), 3u);
  EXPECT_EQ(datagrams[0], std::string(8190, 'x'));
  EXPECT_EQ(datagrams[1], std::string(8190, 'x'));
  EXPECT_EQ(datagrams[2], std::string(20000 - 2 * 8190, 'x') + "\n");
  for (const std::string& datagram : datagrams) EXPECT_LE(datagram.size(), 8191u);
  // A line of exactly 8190 bytes without its newline: the newline comes alone, as with fgets.
  EXPECT_EQ(FrameWhole(std::string(8190, 'y') + "\n"),
            (std::vector<std::string>{std::string(8190, 'y'), "\n"}));
}

TEST(C7Framing, NulBytesAreSent) {
  // Claim (deviation): the lecture's strlen stops at NUL; netref sends the whole line.
  const std::string line("a\0b\n", 4);
  EXPECT_EQ(FrameWhole(line), std::vector<std::string>{line});
}

}  // namespace
}  // namespace netref::core

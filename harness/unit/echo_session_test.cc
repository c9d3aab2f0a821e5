// echo_session_test.cc: T2, the echo protocol as a pure state machine.
#include "reference/core/echo_session.h"

#include <gtest/gtest.h>

#include <string>

#include "reference/core/console_lines.h"
#include "reference/core/output_buffer.h"

namespace netref::core {
namespace {

TEST(T2EchoSession, RepliesWithExactlyTheBytesRead) {
  // Claim: the reply is the read, byte for byte, and the console shows `Client(PORT): DATA`.
  EchoSession session(40000);
  EchoStep step = session.OnRead("hello");
  EXPECT_EQ(step.reply, "hello");
  EXPECT_EQ(step.console_line, "Client(40000): hello");
}

TEST(T2EchoSession, NulBytesAreEchoedButTheConsoleStopsAtTheFirst) {
  // Claim (deviation from the lecture's strlen echo): every byte after a NUL is echoed too;
  // the console line shows what printf("%s") would.
  EchoSession session(7);
  const std::string data("ab\0cd\xff", 6);
  EchoStep step = session.OnRead(data);
  EXPECT_EQ(step.reply, data);
  EXPECT_EQ(step.console_line, "Client(7): ab");
  EXPECT_EQ(session.bytes_echoed(), 6u);
}

TEST(G3ConsoleLine, AFullReadIsCutToOnePipeWriteAndSaysItsSize) {
  // Claim: a read of 8191 non-NUL bytes is echoed whole, and its line is cut to 4095 bytes (one
  // PIPE_BUF write with the newline): the data's start, then " [cut: 8191 bytes read]".
  EchoSession session(9);
  const std::string data(kMaxRead, 'd');
  EchoStep step = session.OnRead(data);
  EXPECT_EQ(step.reply, data);
  const std::string marker = " [cut: 8191 bytes read]";
  ASSERT_EQ(step.console_line.size(), 4095u);
  EXPECT_EQ(step.console_line.substr(0, 10), "Client(9):");
  EXPECT_EQ(step.console_line.substr(4095 - marker.size()), marker);
  EXPECT_EQ(step.console_line.find_first_not_of('d', 11), 4095 - marker.size());
}

TEST(G3ConsoleLine, ALineThatFitsIsLeftWhole) {
  // Claim: the longest line that fits (4095 bytes) is not cut; one byte more is.
  const std::string fits(4095, 'f');
  EXPECT_EQ(FitConsoleLine(fits, " [cut]"), fits);
  const std::string cut = FitConsoleLine(fits + "g", " [cut]");
  EXPECT_EQ(cut, std::string(4089, 'f') + " [cut]");
}

TEST(G3Quiet, AQuietSessionBuildsNoLineButEchoesTheSame) {
  // Claim: with --quiet the session builds no per-message line; the reply is unchanged.
  EchoSession session(5, /*quiet=*/true);
  EchoStep step = session.OnRead("quiet please");
  EXPECT_EQ(step.reply, "quiet please");
  EXPECT_TRUE(step.console_line.empty());
  EXPECT_EQ(session.OnEof(), "Client(5): is disconnected");
}

TEST(T2EchoSession, EofSaysDisconnected) {
  // Claim: the lecture's disconnect line, word for word.
  EXPECT_EQ(EchoSession(123).OnEof(), "Client(123): is disconnected");
}

TEST(T2OutputBuffer, ShortWritesDrainInOrder) {
  // Claim: consuming the pending bytes in any steps yields them in order, then empty.
  OutputBuffer buffer;
  buffer.Append("abc");
  buffer.Append("def");
  std::string written;
  for (std::size_t step : {1u, 2u, 3u}) {
    written.append(buffer.Pending().substr(0, step));
    buffer.Consume(step);
  }
  EXPECT_EQ(written, "abcdef");
  EXPECT_TRUE(buffer.empty());
}

TEST(T2OutputBuffer, ADrainedBufferStartsOverAndAppendsAfterAPartialWriteKeepOrder) {
  // Claim: bytes appended while others are pending come after them, and once everything is
  // written the buffer is empty and the next append is all that is pending.
  OutputBuffer buffer;
  buffer.Append("abcdef");
  buffer.Consume(4);
  buffer.Append("gh");
  EXPECT_EQ(buffer.Pending(), "efgh");
  buffer.Consume(4);
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(buffer.Pending(), "");
  buffer.Append("ij");
  EXPECT_EQ(buffer.Pending(), "ij");
}

TEST(T2OutputBuffer, ADrainedBufferHoldsNoBytes) {
  // Claim: written bytes are freed once everything is written, not kept: a connection's buffer
  // costs at most what is still pending, however many echoes went through it.
  OutputBuffer buffer;
  for (int echo = 0; echo < 100; ++echo) {
    buffer.Append(std::string(8191, 'x'));
    buffer.Consume(5000);
    EXPECT_EQ(buffer.held(), 8191u) << "echo " << echo;  // Part written: all still held.
    buffer.Consume(3191);
    EXPECT_EQ(buffer.held(), 0u) << "echo " << echo;
  }
}

}  // namespace
}  // namespace netref::core

// echo_session_test.cc: T2, the echo protocol as a pure state machine.
#include <string>

#include <gtest/gtest.h>

#include "reference/core/echo_session.h"
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

TEST(T2OutputBuffer, CompactsWithoutLosingBytes) {
  // Claim: a large, slowly drained buffer keeps exactly the unwritten tail after compaction.
  OutputBuffer buffer;
  std::string all;
  for (int i = 0; i < 300; ++i) all += std::string(1000, static_cast<char>('a' + i % 26));
  buffer.Append(all);
  buffer.Consume(70000);  // Past the compaction threshold.
  buffer.Append("tail");
  EXPECT_EQ(std::string(buffer.Pending()), all.substr(70000) + "tail");
}

}  // namespace
}  // namespace netref::core

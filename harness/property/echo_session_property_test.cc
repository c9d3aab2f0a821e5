// echo_session_property_test.cc: T2's echo law for core::EchoSession with core::OutputBuffer,
// for any bytes, any cut into reads and any pattern of short writes.
//
// The POSIX loop (posix/echo_loop.cc) reads at most kMaxRead bytes, hands them to the session and
// completes the reply's short writes; here a write model that writes k bytes at a time stands in
// for the kernel, and may leave bytes pending across reads as the epoll server does.
// Must not: open sockets (harness/property/echo_server_property_test.cc does that).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/property/generators.h"
#include "harness/property/required_cases.h"
#include "reference/core/echo_session.h"
#include "reference/core/output_buffer.h"

namespace netref::core {
namespace {

using property::ByteString;
using property::Cut;
using property::PiecePattern;

// The console line the lecture's printf("Client(%d): %s") shows for one read: the data up to
// its first NUL byte (written out here independently of echo_session.cc).
std::string LectureLine(std::uint16_t port, std::string_view read) {
  std::string shown;
  for (char c : read) {
    if (c == '\0') break;
    shown.push_back(c);
  }
  return "Client(" + std::to_string(port) + "): " + shown;
}

// G3: the console line of one read is the lecture's line when that fits in 4095 bytes (one
// pipe write with its newline); otherwise exactly 4095 bytes: the lecture's line's start, then
// the marker that says how many bytes the read had.
bool IsTheLineOrItsCut(const std::string& line, std::uint16_t port, std::string_view read) {
  const std::string whole = LectureLine(port, read);
  if (whole.size() <= 4095) return line == whole;
  const std::string marker = " [cut: " + std::to_string(read.size()) + " bytes read]";
  const std::size_t kept = 4095 - marker.size();
  return line.size() == 4095 && line.compare(0, kept, whole, 0, kept) == 0 &&
         line.compare(kept, marker.size(), marker) == 0;
}

// The cases the echo law is about, each required in at least this share of the runs: about a
// fifth of what the generators reach (see required_cases.h).
const std::vector<property::RequiredCase> kEchoCases = {
    {"has NUL", 0.10},                         // The lecture's strlen echo stops there.
    {"full 8191-byte read", 0.05},             // G4: a read as long as the buffer.
    {"bytes carried to the next read", 0.05},  // The epoll server's pending echo.
};

// T2: writes back exactly the bytes read, all of them, whatever the reads and short writes.
NETREF_PROP_REQUIRING(T2EchoSession, BytesWrittenBackEqualBytesReadForAnyReadsAndShortWrites,
                      kEchoCases, ()) {
  // Sometimes several buffers long, so that full reads and a stalled writer occur.
  const std::string stream = *rc::gen::weightedOneOf<std::string>({
      {4, ByteString(10 * kMaxRead)},
      // Text with no NUL: a read of over 4080 bytes makes a console line that must be cut.
      {1, rc::gen::map(rc::gen::inRange<std::size_t>(1, 3 * kMaxRead),
                       [](std::size_t n) { return std::string(n, 't'); })},
      {1, rc::gen::apply(&property::PseudoRandomBytes,
                         rc::gen::inRange<std::size_t>(kMaxRead, 10 * kMaxRead + 1),
                         rc::gen::arbitrary<std::uint32_t>())},
  });
  const auto reads = *PiecePattern(kMaxRead);
  const auto writes = *PiecePattern(3 * kMaxRead);
  // How many writes the writer gets after each read before the next read comes: a blocking
  // server drains (many), an epoll server may carry bytes over to the next readiness event.
  // {0}: a writer that stalls until the end, so that every read finds bytes still pending.
  const auto writes_per_read = *rc::gen::weightedOneOf<std::vector<int>>({
      {1, rc::gen::just(std::vector<int>{0})},
      {3, rc::gen::nonEmpty(rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 4)))},
  });
  const auto port = *rc::gen::arbitrary<std::uint16_t>();

  EchoSession session(port);
  OutputBuffer output;
  std::string written;
  std::size_t write_index = 0;
  bool carried_over = false;  // A read came while an earlier echo was still pending.
  const auto write_once = [&] {
    const std::string_view pending = output.Pending();
    const std::size_t n = std::min(writes[write_index++ % writes.size()], pending.size());
    written.append(pending.substr(0, n));
    output.Consume(n);
  };

  const std::vector<std::string_view> pieces = Cut(stream, reads);
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    carried_over |= !output.empty();
    const EchoStep step = session.OnRead(pieces[i]);
    RC_ASSERT(step.reply == std::string(pieces[i]));
    lines.push_back(step.console_line);
    output.Append(step.reply);
    for (int w = writes_per_read[i % writes_per_read.size()]; w > 0 && !output.empty(); --w) {
      write_once();
    }
  }
  while (!output.empty()) write_once();  // The peer's EOF: the session completes its writes.

  RC_ASSERT(written == stream);
  RC_ASSERT(session.bytes_echoed() == stream.size());
  RC_ASSERT(lines.size() == pieces.size());  // One console line per read.
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    RC_ASSERT(IsTheLineOrItsCut(lines[i], port, pieces[i]));
  }
  RC_ASSERT(session.OnEof() == "Client(" + std::to_string(port) + "): is disconnected");

  RC_CLASSIFY(stream.find('\0') != std::string::npos, "has NUL");
  RC_CLASSIFY(stream.find('\xff') != std::string::npos, "has 0xFF");
  RC_CLASSIFY(stream.size() > kMaxRead, "over one buffer");
  RC_CLASSIFY(std::count(reads.begin(), reads.end(), kMaxRead) > 0 && stream.size() >= kMaxRead,
              "full 8191-byte read");
  RC_CLASSIFY(carried_over, "bytes carried to the next read");
  RC_CLASSIFY(std::any_of(lines.begin(), lines.end(),
                          [](const std::string& line) { return line.size() == 4095; }),
              "a console line cut");
}

const std::vector<property::RequiredCase> kBufferCases = {
    {"appended with bytes pending", 0.10},
    {"drained, then appended again", 0.10},
};

// T2 (short writes): whatever is appended and however much is written at a time, Pending() is
// exactly the bytes appended and not yet written, across appends to a half-written buffer and
// across a buffer that drains and starts over.
NETREF_PROP_REQUIRING(T2OutputBuffer, PendingIsAlwaysTheUnwrittenRestForAnyAppendsAndWrites,
                      kBufferCases, ()) {
  // Each step appends `append` bytes (maybe none), then writes `write_permille`/1000 of what is
  // pending (1000: all of it, so the buffer drains and starts over).
  const auto steps = *rc::gen::container<std::vector<std::pair<std::size_t, int>>>(rc::gen::pair(
      rc::gen::weightedOneOf<std::size_t>({
          {1, rc::gen::just<std::size_t>(0)},
          {2, rc::gen::inRange<std::size_t>(1, 100)},
          {2, rc::gen::inRange<std::size_t>(8000, 40000)},
      }),
      rc::gen::weightedOneOf<int>({{3, rc::gen::inRange(0, 1000)}, {1, rc::gen::just(1000)}})));
  OutputBuffer output;
  std::string appended;  // The model: everything appended, and how much of it was written.
  std::size_t written = 0;
  bool appended_while_pending = false, drained_then_appended = false, drained = false;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const std::string bytes =
        property::PseudoRandomBytes(steps[i].first, static_cast<std::uint32_t>(i));
    appended_while_pending |= !bytes.empty() && !output.empty();
    drained_then_appended |= !bytes.empty() && drained;
    output.Append(bytes);
    appended += bytes;
    const std::size_t pending = appended.size() - written;
    const std::size_t n = pending * static_cast<std::size_t>(steps[i].second) / 1000;
    RC_ASSERT(output.Pending().substr(0, n) == std::string_view(appended).substr(written, n));
    output.Consume(n);
    written += n;
    drained |= !appended.empty() && written == appended.size();
    // Sizes first: a short counterexample line rather than 64 KiB of bytes when they differ.
    RC_ASSERT(output.Pending().size() == appended.size() - written);
    RC_ASSERT(output.Pending() == std::string_view(appended).substr(written));
    RC_ASSERT(output.empty() == (written == appended.size()));
  }
  RC_CLASSIFY(appended_while_pending, "appended with bytes pending");
  RC_CLASSIFY(drained_then_appended, "drained, then appended again");
}

}  // namespace
}  // namespace netref::core

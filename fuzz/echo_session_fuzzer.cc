// echo_session_fuzzer.cc: T2 and G4, the echo session and the short-write buffer behind it.
//
// Input: a peer port (2 bytes), a read-size pattern, a write-size pattern, a repeat count, then
// the stream (repeated, so that long streams reach the buffer's compaction). The stream is cut
// into reads of 1..kMaxRead bytes and fed to EchoSession; each reply goes into an OutputBuffer
// that short writes drain (a write of 0 is EAGAIN). Invariants: each reply is exactly its read
// (the lecture's strlen echo breaks this at a NUL: NETREF_PLANT_STRLEN_ECHO); the bytes written
// back equal the stream; one console line per read, `Client(PORT): ` and the read up to its
// first NUL; the EOF line. Must not: do I/O.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_input.h"
#include "reference/core/echo_session.h"
#include "reference/core/output_buffer.h"

using netref::core::EchoSession;
using netref::core::EchoStep;
using netref::core::kMaxRead;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  netref::fuzz::FuzzInput input(data, size);
  const std::uint16_t port = input.U16();
  netref::fuzz::SizePattern reads(input, 8, 255);
  netref::fuzz::SizePattern writes(input, 8, 255);
  const std::size_t r = input.Byte();  // Mostly 1; 2..24 now and then (costly, but it compacts).
  const std::size_t repeats = r >= 233 ? r - 231 : 1;
  const std::string_view chunk = input.Rest();
  std::string stream;
  for (std::size_t i = 0; i < repeats; ++i) stream.append(chunk);

  EchoSession session(port);
  netref::core::OutputBuffer out;
  std::string written;
  const std::string head = "Client(" + std::to_string(port) + "): ";
  const auto write_some = [&](std::size_t n) {  // One write(2) that takes n bytes at most.
    n = std::min(n, out.Pending().size());
    written.append(out.Pending().substr(0, n));
    out.Consume(n);
  };
  std::size_t pos = 0;
  for (std::size_t read_count = 0; pos < stream.size(); ++read_count) {
    // Small reads from the pattern (1..128, or up to kMaxRead), whole buffers after 4096 reads.
    const std::size_t b = reads.Next();
    std::size_t want = b < 128 ? 1 + b : (b - 127) * 64;
    if (read_count >= 4096) want = kMaxRead;
    const std::string_view read = std::string_view(stream).substr(pos, std::min(want, kMaxRead));
    pos += read.size();
    const EchoStep step = session.OnRead(read);
    FUZZ_CHECK(step.reply == read);
    std::size_t shown = 0;  // printf("%s") stops at the first NUL.
    while (shown < read.size() && read[shown] != '\0') ++shown;
    const std::string whole = head + std::string(read.substr(0, shown));
    if (whole.size() <= 4095) {
      FUZZ_CHECK(step.console_line == whole);
    } else {  // G3: cut to one pipe write (4095 bytes and the newline), with the read's size.
      const std::string marker = " [cut: " + std::to_string(read.size()) + " bytes read]";
      const std::size_t kept = 4095 - marker.size();
      FUZZ_CHECK(step.console_line.size() == 4095);
      FUZZ_CHECK(step.console_line.compare(0, kept, whole, 0, kept) == 0);
      FUZZ_CHECK(step.console_line.compare(kept, marker.size(), marker) == 0);
    }
    out.Append(step.reply);
    write_some(writes.Next());
    FUZZ_CHECK(out.Pending().size() == pos - written.size());
    FUZZ_CHECK(out.empty() == (written.size() == pos));
  }
  while (!out.empty()) write_some(1 + writes.Next());
  FUZZ_CHECK(written == stream);
  FUZZ_CHECK(session.bytes_echoed() == stream.size());
  FUZZ_CHECK(session.OnEof() == head + "is disconnected");
  return 0;
}

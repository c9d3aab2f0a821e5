// chat_input_fuzzer.cc: C7, the chat client's stdin framing into datagrams.
//
// Input: a split pattern, a repeat count (mostly 1; up to 17, so lines pass the 8190-byte fgets
// piece), then stdin bytes. Invariants: feeding in pieces (empty Feeds included) equals feeding
// whole; the datagrams are exactly a plain model's (each line with its newline, cut into pieces
// of at most 8190 bytes as fgets(buff, BUFSIZ-1) does; stop after the piece "END\n"; at EOF the
// last line as it is); so joined they give back stdin up to END\n; none is empty or over 8190
// bytes; "END\n" is last if present; ended() after END\n or Finish. Must not: do I/O.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "reference/core/chat_input.h"

using netref::core::kMaxChatPiece;

namespace {

std::vector<std::string> ModelDatagrams(std::string_view in) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start < in.size();) {
    const std::size_t newline = in.find('\n', start);
    const std::size_t end = newline == std::string_view::npos ? in.size() : newline + 1;
    for (std::size_t at = start; at < end; at += kMaxChatPiece) {
      out.emplace_back(in.substr(at, std::min(kMaxChatPiece, end - at)));
      if (out.back() == "END\n") return out;
    }
    start = end;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  netref::fuzz::FuzzInput input(data, size);
  netref::fuzz::SizePattern pieces(input, 8, 7);
  const std::size_t r = input.Byte();
  const std::size_t repeats = r >= 240 ? r - 238 : 1;
  const std::string_view chunk = input.Rest();
  std::string stdin_bytes;
  for (std::size_t i = 0; i < repeats; ++i) stdin_bytes.append(chunk);

  netref::core::ChatInputFramer piecewise;
  std::vector<std::string> datagrams;
  std::string_view rest = stdin_bytes;
  const auto feed = [&](std::size_t n) {
    const std::string_view piece = rest.substr(0, n);
    rest.remove_prefix(piece.size());
    const bool ended_before = piecewise.ended();
    for (std::string& d : piecewise.Feed(piece)) {
      FUZZ_CHECK(!ended_before);  // Nothing after END\n.
      datagrams.push_back(std::move(d));
    }
  };
  while (!rest.empty()) {
    const std::size_t b = pieces.Next();
    const std::size_t n = b < 200 ? b : (b - 199) * 512;  // Some pieces span a whole fgets.
    feed(n);
    if (n == 0) feed(1);  // An empty Feed, then progress: an all-zero pattern must end.
  }
  const bool saw_end = !datagrams.empty() && datagrams.back() == "END\n";
  FUZZ_CHECK(piecewise.ended() == saw_end);
  for (std::string& d : piecewise.Finish()) datagrams.push_back(std::move(d));
  FUZZ_CHECK(piecewise.ended());

  netref::core::ChatInputFramer whole;
  std::vector<std::string> at_once = whole.Feed(stdin_bytes);
  for (std::string& d : whole.Finish()) at_once.push_back(std::move(d));
  FUZZ_CHECK(datagrams == at_once);
  FUZZ_CHECK(datagrams == ModelDatagrams(stdin_bytes));
  std::string joined;
  for (std::size_t i = 0; i < datagrams.size(); ++i) {
    FUZZ_CHECK(!datagrams[i].empty() && datagrams[i].size() <= kMaxChatPiece);
    FUZZ_CHECK(datagrams[i] != "END\n" || i + 1 == datagrams.size());
    joined += datagrams[i];
  }
  FUZZ_CHECK(stdin_bytes.compare(0, joined.size(), joined) == 0);
  FUZZ_CHECK(saw_end || joined.size() == stdin_bytes.size());
  return 0;
}

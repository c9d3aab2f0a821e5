// fuzz_input.h: a tiny reader that turns a fuzzer's bytes into choices and byte strings.
//
// clang's FuzzedDataProvider.h lives in clang's own include directory, where gcc cannot see it,
// and every target must also build as a gcc replay binary (fuzz/replay_main.cc). So this reads
// the bytes itself. Every call is total: past the end it returns 0 / empty, never reads out of
// bounds, and the same bytes always give the same choices (a corpus file replays exactly).
// FUZZ_CHECK is how a target states an invariant: when it breaks, the target names it and
// calls abort(), which libFuzzer (and the replay main) report as a finding.
// Must not: keep global state, or depend on anything but the standard library.
#ifndef NETREF_FUZZ_FUZZ_INPUT_H_
#define NETREF_FUZZ_FUZZ_INPUT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Aborts with the broken invariant's text; not assert(), which NDEBUG would compile away.
#define FUZZ_CHECK(cond)                                                                \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)

namespace netref::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return rest_.empty(); }

  // One byte, or 0 when the input is used up.
  std::uint8_t Byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }

  // Two bytes, little-endian.
  std::uint16_t U16() {
    const std::uint16_t low = Byte();
    return static_cast<std::uint16_t>(low | (Byte() << 8));
  }

  std::uint32_t U32() { return U16() | (static_cast<std::uint32_t>(U16()) << 16); }

  // A value in [lo, hi] from one byte (hi - lo must be under 256 to reach every value).
  std::size_t InRange(std::size_t lo, std::size_t hi) { return lo + Byte() % (hi - lo + 1); }

  // Up to `n` bytes (fewer at the end of the input).
  std::string_view Take(std::size_t n) {
    const std::string_view taken = rest_.substr(0, std::min(n, rest_.size()));
    rest_.remove_prefix(taken.size());
    return taken;
  }

  // A length byte, then that many bytes (fewer at the end).
  std::string_view ShortString() { return Take(Byte()); }

  // Everything that is left.
  std::string_view Rest() { return Take(rest_.size()); }

 private:
  std::string_view rest_;
};

// A cyclic pattern of sizes read from the input (split points, short writes). With no pattern
// bytes every size is `fallback`, so an input that is all data still runs.
class SizePattern {
 public:
  // Reads a count byte (0..max_count, max_count <= 16) and that many size bytes from `input`.
  SizePattern(FuzzInput& input, std::size_t max_count, std::uint8_t fallback)
      : count_(input.InRange(0, max_count)) {
    for (std::size_t i = 0; i < count_; ++i) sizes_[i] = input.Byte();
    if (count_ == 0) {
      sizes_[0] = fallback;
      count_ = 1;
    }
  }

  // The next size in the cycle, as the raw byte 0..255.
  std::uint8_t Next() { return sizes_[next_++ % count_]; }

 private:
  std::uint8_t sizes_[16] = {};
  std::size_t count_;
  std::size_t next_ = 0;
};

}  // namespace netref::fuzz

#endif  // NETREF_FUZZ_FUZZ_INPUT_H_

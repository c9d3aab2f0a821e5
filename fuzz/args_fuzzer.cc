// args_fuzzer.cc: G1 and C4's text forms, every parser of the core against a plain model.
//
// Input: argv, split at NUL bytes. Invariants: ParseArgs, for every Program, either fails or
// gives a config whose untaken fields keep their defaults, whose numbers are in range, and which
// a canonical argv re-parses to; ParsePort/ParseBoundedInt accept exactly the all-digit strings
// in range (NETREF_PLANT_PORT_65536 breaks this) and re-parse their canonical text; ParseIpv4
// accepts exactly four 1-3 digit parts 0..255 without leading zeros (FormatIpv4's one form);
// a ParseChatPrefix that succeeds prints back to its text; UsageText names argv[0]. Must not: do
// I/O.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "reference/core/args.h"
#include "reference/core/chat_wire.h"

namespace core = netref::core;
using core::Program;

namespace {

// What each program takes (the spec's table, restated): positionals, --bind/--quiet, options.
struct Takes {
  bool ip, port, bind_quiet;
  std::string_view number_option;  // "--max-children" etc., or empty.
  bool leave_on_end;
};
Takes TakesOf(Program p) {
  switch (p) {
    case Program::kIterativeEchoServer:
    case Program::kEpollEchoServer:
      return {false, true, true, "", false};
    case Program::kForkEchoServer:
      return {false, true, true, "--max-children", false};
    case Program::kPreforkEchoServer:
      return {false, true, true, "--workers", false};
    case Program::kTestClient:
    case Program::kChatClient:
      return {true, true, false, "", false};
    case Program::kChatServer:
      return {false, true, true, "--max-clients", true};
    case Program::kIgnoreDemo:
      return {false, false, false, "--interval-ms", false};
    case Program::kLivesDemo:
    case Program::kForkDemo:
      break;
  }
  return {false, false, false, "", false};
}

// The model of a number: non-empty, all digits; its value saturates at 10^12 (over every max).
bool ModelNumber(std::string_view t, long long& value) {
  value = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
    value = value > 100000000000LL ? value : value * 10 + (c - '0');
  }
  return !t.empty();
}

void CheckNumberParsers(std::string_view text) {
  long long v = 0;
  const bool digits = ModelNumber(text, v);
  const core::Result<std::uint16_t> port = core::ParsePort(text);
  FUZZ_CHECK(port.ok() == (digits && v <= 65535));
  if (port.ok()) {
    FUZZ_CHECK(port.value() == v);
    const core::Result<std::uint16_t> again = core::ParsePort(std::to_string(port.value()));
    FUZZ_CHECK(again.ok() && again.value() == port.value());
  }
  const core::Result<int> n = core::ParseBoundedInt("--n", text, 1, 100000);
  FUZZ_CHECK(n.ok() == (digits && v >= 1 && v <= 100000) && (!n.ok() || n.value() == v));
  FUZZ_CHECK(n.ok() || !n.error().empty());
}

void CheckAddressParsers(std::string_view text) {
  // Four parts of 1-3 digits, each 0..255 with no leading zero, joined by '.'.
  std::uint32_t model = 0;
  std::size_t parts = 0, digits = 0, part = 0;
  bool good = true, leading_zero = false;
  for (char c : std::string(text) + ".") {  // The '.' appended closes the last part.
    if (c == '.') {
      good = good && digits >= 1 && digits <= 3 && part <= 255 && !(leading_zero && digits > 1);
      leading_zero = false;
      model = (model << 8) | static_cast<std::uint32_t>(part & 255u);
      digits = part = 0;
      ++parts;
    } else if (c >= '0' && c <= '9' && digits < 3) {
      if (digits == 0) leading_zero = c == '0';
      part = part * 10 + static_cast<std::size_t>(c - '0');
      ++digits;
    } else {
      good = false;  // Not a digit, or a fourth digit.
    }
  }
  const core::Result<core::Ipv4Address> ip = core::ParseIpv4(text);
  FUZZ_CHECK(ip.ok() == (good && parts == 4));
  if (ip.ok()) {
    FUZZ_CHECK(ip.value().value == model);
    FUZZ_CHECK(core::FormatIpv4(ip.value()) == text);  // One text form per address.
  }
  const core::Result<core::Endpoint> prefix = core::ParseChatPrefix(text);
  FUZZ_CHECK(!prefix.ok() || core::FormatChatPrefix(prefix.value()) == text);
}

void CheckArgs(Program p, const std::vector<std::string_view>& args) {
  const core::Result<core::ProgramConfig> r = core::ParseArgs(p, args);
  if (!r.ok() || r.value().help) return;
  const core::ProgramConfig& c = r.value();
  const core::ProgramConfig d;
  const Takes t = TakesOf(p);
  FUZZ_CHECK(t.ip || t.bind_quiet || c.endpoint.address == d.endpoint.address);
  FUZZ_CHECK(t.port || c.endpoint.port == 0);
  FUZZ_CHECK(t.bind_quiet || !c.quiet);
  FUZZ_CHECK(t.leave_on_end || !c.leave_on_end);
  FUZZ_CHECK(c.max_children == d.max_children || t.number_option == "--max-children");
  FUZZ_CHECK(c.max_clients == d.max_clients || t.number_option == "--max-clients");
  FUZZ_CHECK(c.workers == d.workers || t.number_option == "--workers");
  FUZZ_CHECK(c.interval_ms == d.interval_ms || t.number_option == "--interval-ms");
  FUZZ_CHECK(c.max_children >= 0 && c.max_clients >= 1 && c.workers >= 1 && c.interval_ms >= 0);
  // The canonical argv re-parses to the same config.
  std::vector<std::string> canon;
  if (t.ip) canon.push_back(core::FormatIpv4(c.endpoint.address));
  if (t.port) canon.push_back(std::to_string(c.endpoint.port));
  if (t.bind_quiet) canon.push_back("--bind=" + core::FormatIpv4(c.endpoint.address));
  if (c.quiet) canon.push_back("--quiet");
  if (c.leave_on_end) canon.push_back("--leave-on-end");
  const int number = t.number_option == "--max-children"  ? c.max_children
                     : t.number_option == "--max-clients" ? c.max_clients
                     : t.number_option == "--workers"     ? c.workers
                                                          : c.interval_ms;
  if (!t.number_option.empty() && !(t.number_option == "--max-children" && number == 0)) {
    canon.push_back(std::string(t.number_option));
    canon.push_back(std::to_string(number));
  }
  const core::Result<core::ProgramConfig> again =
      core::ParseArgs(p, std::vector<std::string_view>(canon.begin(), canon.end()));
  FUZZ_CHECK(again.ok());
  const core::ProgramConfig& a = again.value();
  FUZZ_CHECK(a.endpoint == c.endpoint && a.quiet == c.quiet && a.help == c.help &&
             a.max_children == c.max_children && a.max_clients == c.max_clients &&
             a.leave_on_end == c.leave_on_end && a.workers == c.workers &&
             a.interval_ms == c.interval_ms);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  netref::fuzz::FuzzInput input(data, size);
  const core::Endpoint some{{input.U32()}, input.U16()};  // Format -> Parse round trips.
  const core::Result<core::Endpoint> prefix = core::ParseChatPrefix(core::FormatChatPrefix(some));
  FUZZ_CHECK(prefix.ok() && prefix.value() == some);
  const core::Result<core::Ipv4Address> ip = core::ParseIpv4(core::FormatIpv4(some.address));
  FUZZ_CHECK(ip.ok() && ip.value() == some.address);
  input = netref::fuzz::FuzzInput(data, size);  // The same bytes, read again as argv.

  std::vector<std::string_view> args;  // argv as the kernel hands it: NUL-terminated strings.
  for (std::string_view rest = input.Rest(); args.size() < 64;) {
    const std::size_t nul = rest.find('\0');
    args.push_back(rest.substr(0, nul));
    if (nul == std::string_view::npos) break;
    rest.remove_prefix(nul + 1);
  }
  for (std::string_view arg : args) {
    CheckNumberParsers(arg);
    CheckAddressParsers(arg);
  }
  for (int p = 0; p <= static_cast<int>(Program::kForkDemo); ++p) {  // kForkDemo is the last.
    CheckArgs(static_cast<Program>(p), args);
    const std::string usage = core::UsageText(static_cast<Program>(p), args.front());
    FUZZ_CHECK(usage.rfind("Usage: " + std::string(args.front()), 0) == 0);
  }
  return 0;
}

// args_property_test.cc: G1's laws for the one argument parser (core::ParsePort, core::ParseArgs)
// and the strict IPv4 text form (core::ParseIpv4, core::FormatIpv4).
//
// A port is exactly a non-empty string of decimal digits with value 0..65535, leading zeros
// allowed; everything else is refused with a reason, and every program that takes a port
// decides it the same way. Must not: run the programs (harness/e2e/arguments_test.cc does).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/property/generators.h"
#include "harness/property/required_cases.h"
#include "reference/core/args.h"
#include "reference/core/ipv4.h"

namespace netref::core {
namespace {

// Every program with a port argument, with the arguments that come before the port.
struct PortProgram {
  Program program;
  std::vector<std::string_view> before_port;
};
const std::vector<PortProgram>& PortPrograms() {
  static const std::vector<PortProgram> programs = {
      {Program::kIterativeEchoServer, {}}, {Program::kForkEchoServer, {}},
      {Program::kPreforkEchoServer, {}},   {Program::kEpollEchoServer, {}},
      {Program::kChatServer, {}},          {Program::kTestClient, {"127.0.0.1"}},
      {Program::kChatClient, {"127.0.0.1"}},
  };
  return programs;
}

// `program`'s command line with `port` as its port. `--` first, so that a port string that looks
// like an option ("--help") is still handed to the port parser.
Result<ProgramConfig> ParseWithPort(const PortProgram& program, std::string_view port) {
  std::vector<std::string_view> args = {"--"};
  args.insert(args.end(), program.before_port.begin(), program.before_port.end());
  args.push_back(port);
  return ParseArgs(program.program, args);
}

// A decimal string for 0..65535, with up to 5 leading zeros; 0 and 65535 (the range's ends)
// each in a fifth of the cases.
rc::Gen<std::string> ValidPortText() {
  return rc::gen::apply(
      [](std::uint16_t value, std::size_t zeros) {
        return std::string(zeros, '0') + std::to_string(value);
      },
      rc::gen::weightedOneOf<std::uint16_t>({
          {2, rc::gen::arbitrary<std::uint16_t>()},
          {1, rc::gen::just<std::uint16_t>(0)},
          {1, rc::gen::just<std::uint16_t>(65535)},
          {1, rc::gen::element<std::uint16_t>(1, 9, 10, 80, 65534)},
      }),
      rc::gen::weightedOneOf<std::size_t>(
          {{3, rc::gen::just<std::size_t>(0)}, {1, rc::gen::inRange<std::size_t>(1, 6)}}));
}

// Text that is not a port: a valid port with a sign, a space, a hex prefix or a stray byte
// somewhere, a number over 65535 (65536, the first one, in a fifth of the cases), or empty.
rc::Gen<std::string> InvalidPortText() {
  const auto valid = ValidPortText();
  const auto one = [](auto gen) {
    return std::pair<std::size_t, rc::Gen<std::string>>(1, rc::Gen<std::string>(std::move(gen)));
  };
  return rc::gen::weightedOneOf<std::string>({
      one(rc::gen::just(std::string())),
      one(rc::gen::map(valid, [](std::string s) { return "+" + s; })),
      one(rc::gen::map(valid, [](std::string s) { return "-" + s; })),
      one(rc::gen::map(valid, [](std::string s) { return " " + s; })),
      one(rc::gen::map(valid, [](std::string s) { return s + " "; })),
      one(rc::gen::map(valid, [](std::string s) { return s + "\n"; })),
      one(rc::gen::map(valid, [](std::string s) { return "0x" + s; })),
      one(rc::gen::element<std::string>("0x50", "0X50", "1e3", "80.0", "８０", "abc", "12x", "-0")),
      {3, rc::gen::map(rc::gen::inRange<std::size_t>(0, 3),
                       [](std::size_t zeros) { return std::string(zeros, '0') + "65536"; })},
      // Over 65535: 65536.. up to far past every integer type, with leading zeros at times.
      one(rc::gen::apply(
          [](std::uint64_t value,
             std::size_t zeros) { return std::string(zeros, '0') + std::to_string(value); },
          rc::gen::weightedOneOf<std::uint64_t>({
              {2, rc::gen::just<std::uint64_t>(65536)},
              {3, rc::gen::inRange<std::uint64_t>(65536, 1000000)},
              {2, rc::gen::inRange<std::uint64_t>(65536, UINT64_MAX)},
          }),
          rc::gen::inRange<std::size_t>(0, 3))),
      one(rc::gen::just(std::string(40, '9'))),
      // A stray non-digit byte inserted anywhere in a valid port.
      one(
          rc::gen::apply(
              [](std::string s, std::size_t at, char c) {
                s.insert(std::min(at, s.size()), 1, c);
                return s;
              },
              valid, rc::gen::inRange<std::size_t>(0, 7),
              rc::gen::suchThat<char>([](char c) { return c < '0' || c > '9'; }))),
  });
}

// The edges of G1's port range, each required in at least this share of the runs: about a fifth
// of what the generators reach (see required_cases.h).
const std::vector<property::RequiredCase> kValidPortCases = {
    {"65535", 0.04}, {"0", 0.04}, {"leading zero", 0.05}};
const std::vector<property::RequiredCase> kInvalidPortCases = {
    {"65536", 0.04}, {"sign", 0.01}, {"all digits (overflow)", 0.04}};

// G1: every decimal string 0..65535, leading zeros included, is a port.
NETREF_PROP_REQUIRING(G1Args, EveryDecimalStringUpTo65535IsAcceptedAsAPort, kValidPortCases, ()) {
  const std::string text = *ValidPortText();
  const auto expected = static_cast<std::uint16_t>(std::stoul(text));
  const Result<std::uint16_t> port = ParsePort(text);
  RC_ASSERT(port.ok());
  RC_ASSERT(port.value() == expected);
  for (const PortProgram& program : PortPrograms()) {
    const Result<ProgramConfig> config = ParseWithPort(program, text);
    RC_ASSERT(config.ok());
    RC_ASSERT(config.value().endpoint.port == expected);
  }
  RC_CLASSIFY(text.size() > 1 && text[0] == '0', "leading zero");
  RC_CLASSIFY(expected == 65535, "65535");
  RC_CLASSIFY(expected == 0, "0");
}

// G1: signs, spaces, hex, overflow and the empty string are refused, with a reason, by every
// program.
NETREF_PROP_REQUIRING(G1Args, AnythingElseIsRejectedWithAReasonByEveryProgram, kInvalidPortCases,
                      ()) {
  const std::string text = *InvalidPortText();
  const Result<std::uint16_t> port = ParsePort(text);
  RC_ASSERT(!port.ok());
  RC_ASSERT(!port.error().empty());
  for (const PortProgram& program : PortPrograms()) {
    const Result<ProgramConfig> config = ParseWithPort(program, text);
    RC_ASSERT(!config.ok());
    RC_ASSERT(!config.error().empty());
  }
  RC_CLASSIFY(text.empty(), "empty");
  RC_CLASSIFY(text.find_first_not_of('0') != std::string::npos &&
                  text.substr(text.find_first_not_of('0')) == "65536",
              "65536");
  RC_CLASSIFY(!text.empty() && (text[0] == '+' || text[0] == '-'), "sign");
  RC_CLASSIFY(text.find_first_not_of("0123456789") == std::string::npos && !text.empty(),
              "all digits (overflow)");
}

// G1: one parser for every program: for any string at all, each program accepts it as a port
// exactly when ParsePort does, with the same value.
RC_GTEST_PROP(G1Args, EveryProgramDecidesAPortAsParsePortDoes, ()) {
  // A port, a near miss and any string at all, each case.
  const std::vector<std::string> texts = {*ValidPortText(), *InvalidPortText(),
                                          *rc::gen::arbitrary<std::string>()};
  for (const std::string& text : texts) {
    const Result<std::uint16_t> port = ParsePort(text);
    for (const PortProgram& program : PortPrograms()) {
      const Result<ProgramConfig> config = ParseWithPort(program, text);
      RC_ASSERT(config.ok() == port.ok());
      if (port.ok()) RC_ASSERT(config.value().endpoint.port == port.value());
    }
  }
  RC_CLASSIFY(ParsePort(texts[2]).ok(), "an arbitrary string that is a port");
}

// G1: FormatIpv4 prints every address in a form ParseIpv4 reads back as the same address.
RC_GTEST_PROP(G1Ipv4, FormatThenParseIsIdentityForEveryAddress, (std::uint32_t value)) {
  const Ipv4Address address{value};
  const std::string text = FormatIpv4(address);
  const Result<Ipv4Address> parsed = ParseIpv4(text);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed.value() == address);
  // The server's own line: the endpoint form is the address, a colon, the decimal port.
  RC_ASSERT(FormatEndpoint(Endpoint{address, 80}) == text + ":80");
}

// G1: a formatted address damaged by one edit (a part out of range, a part missing or extra, a
// sign, a space, a hex digit, an empty part, a leading zero) is refused with a reason.
RC_GTEST_PROP(G1Ipv4, DamagedAddressesAreRejected, (std::uint32_t value)) {
  const std::string text = FormatIpv4(Ipv4Address{value});
  const auto dot = text.find('.');
  const std::string damaged = *rc::gen::element<std::string>(
      text + ".1", text.substr(text.find('.') + 1), "256" + text.substr(dot),
      "1000" + text.substr(dot), " " + text, text + " ", "+" + text, "-" + text,
      "0x" + text, text.substr(0, dot) + ".." + text.substr(dot + 1), text + ".",
      "." + text, text.substr(0, dot) + "a" + text.substr(dot), "0" + text.substr(dot + 1) +
      ".0", std::string());
  const Result<Ipv4Address> parsed = ParseIpv4(damaged);
  RC_ASSERT(!parsed.ok());
  RC_ASSERT(!parsed.error().empty());
}

}  // namespace
}  // namespace netref::core

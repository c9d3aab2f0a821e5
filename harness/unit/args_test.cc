// args_test.cc: G1, the one argument parser behind every program.
#include "reference/core/args.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace netref::core {
namespace {

Result<ProgramConfig> Parse(Program program, std::vector<std::string_view> args) {
  return ParseArgs(program, args);
}

TEST(G1Args, PortAcceptsEveryDecimalFromZeroTo65535Edges) {
  // Claim: the ends of the port range and leading zeros parse to their decimal value.
  EXPECT_EQ(ParsePort("0").value(), 0);
  EXPECT_EQ(ParsePort("1").value(), 1);
  EXPECT_EQ(ParsePort("65535").value(), 65535);
  EXPECT_EQ(ParsePort("0080").value(), 80);
}

TEST(G1Args, PortRejectsTheLecturesSilentAtoiCases) {
  // Claim: what atoi would quietly turn into some port is an error with a reason.
  for (std::string_view bad : {"abc", "70000", "65536", "-1", "12x", "+80", " 80", "80 ", "",
                               "0x50", "99999999999999999999", "1e3"}) {
    Result<std::uint16_t> port = ParsePort(bad);
    ASSERT_FALSE(port.ok()) << "'" << bad << "' was accepted";
    EXPECT_FALSE(port.error().empty());
  }
}

TEST(G1Args, ServerTakesPortAndOptionsInAnyOrder) {
  // Claim: options may come before or after the port, as --opt V or --opt=V.
  Result<ProgramConfig> config = Parse(
      Program::kForkEchoServer, {"--quiet", "9877", "--max-children=4", "--bind", "127.0.0.1"});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config.value().endpoint.port, 9877);
  EXPECT_EQ(config.value().endpoint.address, kLoopbackAddress);
  EXPECT_TRUE(config.value().quiet);
  EXPECT_EQ(config.value().max_children, 4);
}

TEST(G1Args, AfterDoubleDashEveryArgumentIsPositional) {
  // Claim: `--` ends the options: what follows is an argument even if it looks like an option,
  // so `--quiet` after it is a (bad) port, not the flag.
  Result<ProgramConfig> config = Parse(Program::kForkEchoServer, {"--", "--quiet"});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("'--quiet'"), std::string::npos) << config.error();
  Result<ProgramConfig> port = Parse(Program::kForkEchoServer, {"--quiet", "--", "9877"});
  ASSERT_TRUE(port.ok()) << port.error();
  EXPECT_EQ(port.value().endpoint.port, 9877);
  EXPECT_TRUE(port.value().quiet);
}

TEST(G1Args, DefaultsAreTheLecturesValues) {
  // Claim: with no options, a server binds INADDR_ANY, the chat list holds 10, nothing is quiet.
  Result<ProgramConfig> config = Parse(Program::kChatServer, {"5000"});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config.value().endpoint.address, kAnyAddress);
  EXPECT_EQ(config.value().max_clients, 10);
  EXPECT_FALSE(config.value().leave_on_end);
  EXPECT_FALSE(config.value().quiet);
  EXPECT_EQ(config.value().max_children, 0);
}

TEST(G1Args, MissingExtraAndUnknownArgumentsAreErrors) {
  // Claim: nothing is accepted silently: too few, too many, or foreign options.
  EXPECT_FALSE(Parse(Program::kIterativeEchoServer, {}).ok());
  EXPECT_FALSE(Parse(Program::kIterativeEchoServer, {"1", "2"}).ok());
  EXPECT_FALSE(Parse(Program::kIterativeEchoServer, {"1", "--max-children", "3"}).ok());
  EXPECT_FALSE(Parse(Program::kTestClient, {"127.0.0.1"}).ok());
  EXPECT_FALSE(Parse(Program::kTestClient, {"127.0.0.1", "80", "x"}).ok());
  EXPECT_FALSE(Parse(Program::kForkEchoServer, {"1", "--bind"}).ok());
  EXPECT_FALSE(Parse(Program::kForkEchoServer, {"1", "--quiet=yes"}).ok());
  EXPECT_FALSE(Parse(Program::kLivesDemo, {"1"}).ok());
}

TEST(G1Args, OptionValuesAreBounded) {
  // Claim: counts are whole numbers within their bounds; zero children or clients is refused.
  EXPECT_FALSE(Parse(Program::kForkEchoServer, {"1", "--max-children", "0"}).ok());
  EXPECT_FALSE(Parse(Program::kForkEchoServer, {"1", "--max-children", "-3"}).ok());
  EXPECT_FALSE(Parse(Program::kChatServer, {"1", "--max-clients", "x"}).ok());
  EXPECT_FALSE(Parse(Program::kPreforkEchoServer, {"1", "--workers", "100000"}).ok());
  EXPECT_EQ(Parse(Program::kIgnoreDemo, {"--interval-ms", "0"}).value().interval_ms, 0);
}

TEST(G1Args, ErrorsNameWhatIsMissingOrTheRangeABadValueMissed) {
  // Claim: the reason names the missing positional, or quotes the bad value with its range.
  const auto error = [](Program program, std::vector<std::string_view> args) {
    Result<ProgramConfig> config = Parse(program, args);
    return config.ok() ? std::string("accepted") : config.error();
  };
  EXPECT_EQ(error(Program::kForkEchoServer, {}), "missing argument PORT");
  EXPECT_EQ(error(Program::kTestClient, {"127.0.0.1"}), "missing argument PORT");
  EXPECT_EQ(error(Program::kChatClient, {}), "missing arguments IP PORT");
  EXPECT_EQ(error(Program::kForkEchoServer, {"1", "--max-children", "-3"}),
            "--max-children: '-3': must be 1..100000");
  EXPECT_EQ(error(Program::kForkEchoServer, {"1", "--max-children", "0"}),
            "--max-children: '0': must be 1..100000");
  EXPECT_EQ(error(Program::kPreforkEchoServer, {"1", "--workers", "2000"}),
            "--workers: '2000': must be 1..1024");
  EXPECT_EQ(error(Program::kIterativeEchoServer, {"70000"}), "port: '70000': must be 0..65535");
  EXPECT_EQ(error(Program::kIterativeEchoServer, {"12x"}), "port: '12x': must be 0..65535");
  EXPECT_EQ(error(Program::kIterativeEchoServer, {""}), "port: '': must be 0..65535");
}

TEST(G1Args, ClientTakesStrictIpv4) {
  // Claim: the client's address is strict dotted decimal; inet_addr's odd forms are refused.
  Result<ProgramConfig> config = Parse(Program::kTestClient, {"10.0.0.255", "7"});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config.value().endpoint.address.value, 0x0a0000ffu);
  for (std::string_view bad : {"localhost", "127.1", "0x7f.0.0.1", "256.0.0.1", "1.2.3.4.5",
                               "1..2.3", "01234.1.1.1", " 1.2.3.4"}) {
    EXPECT_FALSE(Parse(Program::kTestClient, {bad, "7"}).ok()) << bad;
  }
}

TEST(G1Args, DoubleDashEndsOptions) {
  // Claim: after `--`, an argument that looks like an option is a positional (and so an error
  // here).
  EXPECT_FALSE(Parse(Program::kIterativeEchoServer, {"--", "--quiet"}).ok());
  EXPECT_TRUE(Parse(Program::kIterativeEchoServer, {"--", "80"}).ok());
}

TEST(G1Args, HelpIsNotAnError) {
  // Claim: --help asks for the usage and stops parsing.
  Result<ProgramConfig> config = Parse(Program::kForkEchoServer, {"--help"});
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config.value().help);
}

TEST(G1Args, UsageStartsWithTheLecturesLine) {
  // Claim: the usage text opens with the lecture's own usage wording.
  EXPECT_EQ(UsageText(Program::kForkEchoServer, "srv").rfind("Usage: srv [port]\n", 0), 0u);
  EXPECT_EQ(UsageText(Program::kChatServer, "chat").rfind("Usage: chat Port\n", 0), 0u);
  EXPECT_EQ(UsageText(Program::kLivesDemo, "lives"), "Usage: lives");
}

}  // namespace
}  // namespace netref::core

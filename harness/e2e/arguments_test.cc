// arguments_test.cc: G1 at the edge: what each binary does with a bad command line.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness/support/deadline.h"
#include "harness/support/subprocess.h"

namespace netref::testing {
namespace {

using std::chrono::seconds;

Finished RunProgram(const std::string& program, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {BinPath(program)};
  argv.insert(argv.end(), args.begin(), args.end());
  Finished run = RunToEnd(argv, Deadline::In(seconds(10)));
  if (!run.status) ADD_FAILURE() << program << " did not exit";
  return run;
}

// The programs this file covers, with a bad-port position each. (Chat and demo programs have
// their own argument tests beside their e2e tests.)
const char* const kServers[] = {"tcp_echo_iterative", "tcp_echo_fork"};

TEST(G1Usage, MissingArgumentPrintsUsageAndExitsTwo) {
  // Claim: no arguments: the usage line on stderr, nothing on stdout, exit 2.
  for (const char* program : {"tcp_echo_iterative", "tcp_echo_fork", "tcp_test_client"}) {
    Finished outcome = RunProgram(program, {});
    EXPECT_TRUE(outcome.status && outcome.status->ExitedWith(2)) << program;
    EXPECT_NE(outcome.err.find("Usage: "), std::string::npos) << program << ": " << outcome.err;
    EXPECT_NE(outcome.err.find("missing argument"), std::string::npos) << outcome.err;
    EXPECT_EQ(outcome.out, "") << program;
  }
}

TEST(G1Usage, BadPortsAreRefusedWithTheReason) {
  // Claim: abc, 70000, -1, 12x and an extra argument each exit 2 with a one-line reason.
  for (const char* program : kServers) {
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"abc"}, {"70000"}, {"-1"}, {"12x"}, {"80", "81"}}) {
      Finished outcome = RunProgram(program, args);
      EXPECT_TRUE(outcome.status && outcome.status->ExitedWith(2)) << program << " " << args[0];
      EXPECT_EQ(outcome.err.rfind(std::string(program) + ": ", 0), 0u) << outcome.err;
      EXPECT_NE(outcome.err.find("Usage: "), std::string::npos);
      EXPECT_EQ(outcome.out.find("listening on"), std::string::npos);
    }
  }
  Finished client = RunProgram("tcp_test_client", {"127.0.0.1", "12x"});
  EXPECT_TRUE(client.status && client.status->ExitedWith(2));
  EXPECT_NE(client.err.find("'12x'"), std::string::npos) << client.err;
}

TEST(G1Usage, BadBindAddressIsRefused) {
  // Claim: --bind takes strict IPv4; anything else exits 2 naming the address.
  for (const char* program : kServers) {
    Finished outcome = RunProgram(program, {"0", "--bind", "localhost"});
    EXPECT_TRUE(outcome.status && outcome.status->ExitedWith(2)) << program;
    EXPECT_NE(outcome.err.find("'localhost'"), std::string::npos) << outcome.err;
  }
}

TEST(G1Usage, PortInUseIsARuntimeErrorNamingTheAddress) {
  // Claim: binding a port that is taken exits 1 with `bind 127.0.0.1:PORT: Address already in use`.
  const int holder = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(holder, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string port = std::to_string(ntohs(address.sin_port));
  for (const char* program : kServers) {
    Finished outcome = RunProgram(program, {port, "--bind", "127.0.0.1"});
    EXPECT_TRUE(outcome.status && outcome.status->ExitedWith(1)) << program;
    EXPECT_NE(outcome.err.find("bind 127.0.0.1:" + port + ": Address already in use"),
              std::string::npos)
        << outcome.err;
  }
  ::close(holder);
}

TEST(G1Usage, HelpGoesToStdoutAndExitsZero) {
  // Claim: --help is not an error: usage on stdout, exit 0.
  Finished outcome = RunProgram("tcp_echo_fork", {"--help"});
  EXPECT_TRUE(outcome.status && outcome.status->ExitedWith(0));
  EXPECT_NE(outcome.out.find("--max-children"), std::string::npos) << outcome.out;
}

}  // namespace
}  // namespace netref::testing

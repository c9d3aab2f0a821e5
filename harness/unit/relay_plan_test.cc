// relay_plan_test.cc: C2-C6, the chat relay's plan for one datagram (example-based; the
// model-based properties live in harness/property, the fuzzer in fuzz/chat_relay_fuzzer.cc).
#include "reference/core/relay_plan.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reference/core/chat_lines.h"
#include "reference/core/chat_wire.h"
#include "reference/core/lecture_limits.h"

namespace netref::core {
namespace {

Endpoint Client(std::uint16_t port) { return Endpoint{kLoopbackAddress, port}; }

std::vector<Endpoint> Recipients(const RelayPlan& plan) {
  std::vector<Endpoint> to;
  for (const OutgoingDatagram& datagram : plan.sends) to.push_back(datagram.to);
  return to;
}

TEST(C4Prefix, IsTheLecturesFormat) {
  // Claim: "%s: %d>> " with inet_ntoa's dotted quad and a decimal port.
  EXPECT_EQ(FormatChatPrefix(Client(5000)), "127.0.0.1: 5000>> ");
  EXPECT_EQ(FormatChatPrefix({Ipv4Address{0xc0a80a01}, 0}), "192.168.10.1: 0>> ");
  EXPECT_EQ(FormatChatPrefix({Ipv4Address{0xffffffff}, 65535}), "255.255.255.255: 65535>> ");
}

TEST(C4Prefix, ParsesExactlyWhatFormatPrints) {
  // Claim: ParseChatPrefix inverts FormatChatPrefix and rejects every other spelling.
  const Result<Endpoint> parsed = ParseChatPrefix("10.0.0.7: 40000>> ");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed.value(), (Endpoint{Ipv4Address{0x0a000007}, 40000}));
  for (const char* bad :
       {"", ">> ", "10.0.0.7: 40000>>", "10.0.0.7:40000>> ", "10.0.0.7: >> ", "10.0.0.7: 040000>> ",
        "10.0.0.7: 65536>> ", "10.0.0.7: +1>> ", "010.0.0.7: 1>> ", "10.0.0: 1>> ",
        "10.0.0.7: 1>> x", " 10.0.0.7: 1>> ", "10.0.0.7: 1 >> ", "10.0.0.7: 1: 2>> "}) {
    EXPECT_FALSE(ParseChatPrefix(bad).ok()) << "'" << bad << "'";
  }
}

TEST(C3CountLine, KeepsTheLecturesTrailingSpace) {
  // Claim: printf("nClient: %d \n") is "nClient: N " before the newline.
  EXPECT_EQ(ClientCountLine(1), "nClient: 1 ");
  EXPECT_EQ(ClientCountLine(10), "nClient: 10 ");
}

TEST(C4Relay, LoneSenderIsCountedAndSendsNothing) {
  // Claim: the first datagram lists its sender, logs nClient: 1, and goes to no one.
  ChatRelay relay(10, false);
  const RelayPlan plan = relay.OnDatagram(Client(1), "hi\n", false);
  EXPECT_FALSE(plan.dropped);
  EXPECT_TRUE(plan.sends.empty());
  EXPECT_EQ(plan.console_lines, std::vector<std::string>{"nClient: 1 "});
}

TEST(C4Relay, EachOtherClientGetsPrefixThenPayloadInListOrder) {
  // Claim: with A, B, C listed, B's message goes to A then C (never B), prefix before payload.
  ChatRelay relay(10, false);
  relay.OnDatagram(Client(1), "a", false);
  relay.OnDatagram(Client(2), "b", false);
  relay.OnDatagram(Client(3), "c", false);
  const RelayPlan plan = relay.OnDatagram(Client(2), "hello\n", false);
  ASSERT_EQ(plan.sends.size(), 4u);
  EXPECT_EQ(Recipients(plan), (std::vector<Endpoint>{Client(1), Client(1), Client(3), Client(3)}));
  EXPECT_EQ(plan.sends[0].bytes, "127.0.0.1: 2>> ");
  EXPECT_EQ(plan.sends[1].bytes, "hello\n");
  EXPECT_EQ(plan.sends[2].bytes, "127.0.0.1: 2>> ");
  EXPECT_EQ(plan.sends[3].bytes, "hello\n");
  EXPECT_EQ(plan.console_lines, std::vector<std::string>{"nClient: 3 "});
}

TEST(C4Relay, EmptyAndBinaryPayloadsAreRelayedAsIs) {
  // Claim: an empty payload is still a datagram; NUL and high bytes pass unchanged.
  ChatRelay relay(10, false);
  relay.OnDatagram(Client(1), "", false);
  const RelayPlan empty = relay.OnDatagram(Client(2), "", false);
  ASSERT_EQ(empty.sends.size(), 2u);
  EXPECT_EQ(empty.sends[1].bytes, "");
  const std::string binary("\0\xff\n\0x", 5);
  const RelayPlan plan = relay.OnDatagram(Client(1), binary, false);
  ASSERT_EQ(plan.sends.size(), 2u);
  EXPECT_EQ(plan.sends[1].bytes, binary);
}

TEST(C2Relay, FullListDropsNewSender) {
  // Claim: with 10 listed, an 11th sender's datagram is dropped: no sends, no lines, not listed.
  ChatRelay relay(10, false);
  for (std::uint16_t port = 1; port <= 10; ++port) relay.OnDatagram(Client(port), "x", false);
  const RelayPlan plan = relay.OnDatagram(Client(11), "intruder\n", false);
  EXPECT_TRUE(plan.dropped);
  EXPECT_TRUE(plan.sends.empty());
  EXPECT_TRUE(plan.console_lines.empty());
  EXPECT_EQ(relay.clients().size(), 10u);
  // A listed client still reaches the other nine.
  EXPECT_EQ(relay.OnDatagram(Client(10), "y", false).sends.size(), 18u);
}

TEST(C2Relay, TruncatedDatagramFromNewSenderInFullListIsSilent) {
  // Claim: a dropped datagram logs nothing, not even the truncation line.
  ChatRelay relay(1, false);
  relay.OnDatagram(Client(1), "x", false);
  const RelayPlan plan = relay.OnDatagram(Client(2), std::string(kMaxRead, 'z'), true);
  EXPECT_TRUE(plan.dropped);
  EXPECT_TRUE(plan.console_lines.empty());
  EXPECT_TRUE(plan.events.empty());
}

TEST(C5Relay, EndIsRelayedAndKeptByDefault) {
  // Claim: without --leave-on-end, END\n is an ordinary message and its sender stays.
  ChatRelay relay(10, false);
  relay.OnDatagram(Client(1), "x", false);
  const RelayPlan plan = relay.OnDatagram(Client(2), "END\n", false);
  ASSERT_EQ(plan.sends.size(), 2u);
  EXPECT_EQ(plan.sends[1].bytes, "END\n");
  EXPECT_FALSE(plan.left);
  EXPECT_EQ(relay.clients().size(), 2u);
}

TEST(C5Relay, LeaveOnEndRelaysEndThenRemovesTheSender) {
  // Claim: with --leave-on-end, END\n reaches the others, the count line still counts the
  // sender, and afterwards it is gone (its next datagram makes it new again, at the end).
  ChatRelay relay(10, true);
  relay.OnDatagram(Client(1), "x", false);
  relay.OnDatagram(Client(2), "x", false);
  relay.OnDatagram(Client(3), "x", false);
  const RelayPlan plan = relay.OnDatagram(Client(1), "END\n", false);
  EXPECT_EQ(Recipients(plan), (std::vector<Endpoint>{Client(2), Client(2), Client(3), Client(3)}));
  EXPECT_EQ(plan.sends[1].bytes, "END\n");
  EXPECT_EQ(plan.console_lines, std::vector<std::string>{"nClient: 3 "});
  EXPECT_TRUE(plan.left);
  EXPECT_EQ(relay.clients().clients(), (std::vector<Endpoint>{Client(2), Client(3)}));
  EXPECT_EQ(relay.OnDatagram(Client(1), "back\n", false).console_lines,
            std::vector<std::string>{"nClient: 3 "});
  EXPECT_EQ(relay.clients().clients(), (std::vector<Endpoint>{Client(2), Client(3), Client(1)}));
}

TEST(C5Relay, LeaveOnEndFreesASlot) {
  // Claim: in a full list, a leaver's slot goes to the next new sender.
  ChatRelay relay(2, true);
  relay.OnDatagram(Client(1), "x", false);
  relay.OnDatagram(Client(2), "x", false);
  EXPECT_TRUE(relay.OnDatagram(Client(3), "x", false).dropped);
  EXPECT_TRUE(relay.OnDatagram(Client(1), "END\n", false).left);
  EXPECT_FALSE(relay.OnDatagram(Client(3), "x", false).dropped);
}

TEST(C5Relay, OnlyTheExactEndLineLeaves) {
  // Claim: "END", "END\r\n", "end\n" and " END\n" do not make the sender leave.
  ChatRelay relay(10, true);
  relay.OnDatagram(Client(1), "x", false);
  for (const char* payload : {"END", "END\r\n", "end\n", " END\n", "END\n\n"}) {
    EXPECT_FALSE(relay.OnDatagram(Client(1), payload, false).left) << payload;
  }
  EXPECT_EQ(relay.clients().size(), 1u);
}

TEST(C6Relay, TruncationIsAnEventAndThePayloadIsRelayedAsCut) {
  // Claim: a truncated datagram is relayed as received (8191 bytes); its truncation line is an
  // event (for stderr, never silenced), apart from the per-message `nClient` line.
  ChatRelay relay(10, false);
  relay.OnDatagram(Client(1), "x", false);
  const std::string cut(kMaxRead, 'q');
  const RelayPlan plan = relay.OnDatagram(Client(2), cut, true);
  EXPECT_EQ(plan.events,
            std::vector<std::string>{"datagram from 127.0.0.1:2 truncated to 8191 bytes"});
  EXPECT_EQ(plan.console_lines, std::vector<std::string>{"nClient: 2 "});
  ASSERT_EQ(plan.sends.size(), 2u);
  EXPECT_EQ(plan.sends[1].bytes, cut);
}

}  // namespace
}  // namespace netref::core

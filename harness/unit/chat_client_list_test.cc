// chat_client_list_test.cc: C2 and C5, the chat server's client list (example-based; the
// model-based properties live in harness/property).
#include <gtest/gtest.h>

#include <vector>

#include "reference/core/chat_client_list.h"

namespace netref::core {
namespace {

Endpoint Client(std::uint16_t port, std::uint32_t address = 0x7f000001) {
  return Endpoint{Ipv4Address{address}, port};
}

TEST(C2ClientList, NewSendersAreAppendedInFirstSeenOrder) {
  // Claim: FindOrAdd appends new senders at the end and returns the index of a known one.
  ChatClientList list;
  EXPECT_EQ(list.FindOrAdd(Client(5002)), 0u);
  EXPECT_EQ(list.FindOrAdd(Client(5001)), 1u);
  EXPECT_EQ(list.FindOrAdd(Client(5002)), 0u);
  EXPECT_EQ(list.FindOrAdd(Client(5003)), 2u);
  EXPECT_EQ(list.clients(), (std::vector<Endpoint>{Client(5002), Client(5001), Client(5003)}));
}

TEST(C2ClientList, IdentityIsAddressAndPortTogether) {
  // Claim: same port on another address, or same address on another port, is another client.
  ChatClientList list;
  list.FindOrAdd(Client(5000, 0x7f000001));
  EXPECT_EQ(list.Find(Client(5000, 0x7f000002)), std::nullopt);
  EXPECT_EQ(list.Find(Client(5001, 0x7f000001)), std::nullopt);
  EXPECT_EQ(list.FindOrAdd(Client(5000, 0x7f000002)), 1u);
  EXPECT_EQ(list.FindOrAdd(Client(5001, 0x7f000001)), 2u);
  EXPECT_EQ(list.size(), 3u);
}

TEST(C2ClientList, DefaultCapacityIsTheLecturesTen) {
  // Claim: MAX_CLIENT = 10.
  EXPECT_EQ(ChatClientList().capacity(), 10u);
  EXPECT_EQ(kLectureMaxClients, 10u);
}

TEST(C2ClientList, FullListDropsNewSender) {
  // Claim: with 10 listed, an 11th sender is refused and not added; the listed still are found.
  ChatClientList list;
  for (std::uint16_t port = 1; port <= 10; ++port) ASSERT_TRUE(list.FindOrAdd(Client(port)));
  EXPECT_TRUE(list.full());
  EXPECT_EQ(list.FindOrAdd(Client(11)), std::nullopt);
  EXPECT_EQ(list.size(), 10u);
  EXPECT_EQ(list.Find(Client(11)), std::nullopt);
  EXPECT_EQ(list.FindOrAdd(Client(10)), 9u);
}

TEST(C2ClientList, SmallerCapacityIsHonoured) {
  // Claim: --max-clients 2: the third sender is refused.
  ChatClientList list(2);
  EXPECT_TRUE(list.FindOrAdd(Client(1)));
  EXPECT_TRUE(list.FindOrAdd(Client(2)));
  EXPECT_EQ(list.FindOrAdd(Client(3)), std::nullopt);
  EXPECT_EQ(list.size(), 2u);
}

TEST(C2ClientList, ZeroCapacityRefusesEveryone) {
  // Claim: a list of capacity 0 is always full (the parser forbids 0, the core still copes).
  ChatClientList list(0);
  EXPECT_TRUE(list.full());
  EXPECT_EQ(list.FindOrAdd(Client(1)), std::nullopt);
}

TEST(C5ClientList, RemoveKeepsTheOrderOfTheRest) {
  // Claim: Remove takes one client out; later clients move up, in order; unknown is a no-op.
  ChatClientList list;
  for (std::uint16_t port = 1; port <= 4; ++port) list.FindOrAdd(Client(port));
  EXPECT_TRUE(list.Remove(Client(2)));
  EXPECT_EQ(list.clients(), (std::vector<Endpoint>{Client(1), Client(3), Client(4)}));
  EXPECT_FALSE(list.Remove(Client(2)));
  EXPECT_FALSE(list.Remove(Client(9)));
  EXPECT_EQ(list.size(), 3u);
}

TEST(C5ClientList, RemoveFreesASlotInAFullList) {
  // Claim: after a removal from a full list, a new sender is accepted at the end.
  ChatClientList list(2);
  list.FindOrAdd(Client(1));
  list.FindOrAdd(Client(2));
  ASSERT_EQ(list.FindOrAdd(Client(3)), std::nullopt);
  EXPECT_TRUE(list.Remove(Client(1)));
  EXPECT_EQ(list.FindOrAdd(Client(3)), 1u);
  EXPECT_EQ(list.clients(), (std::vector<Endpoint>{Client(2), Client(3)}));
}

}  // namespace
}  // namespace netref::core

// ipv4_test.cc: the text forms of addresses and endpoints (used by T1, T3, C4, G2).
#include <gtest/gtest.h>

#include "reference/core/ipv4.h"

namespace netref::core {
namespace {

TEST(Ipv4Text, FormatsLikeInetNtoa) {
  // Claim: addresses print as inet_ntoa prints them, endpoints as `IP:PORT`.
  EXPECT_EQ(FormatIpv4(kLoopbackAddress), "127.0.0.1");
  EXPECT_EQ(FormatIpv4(kAnyAddress), "0.0.0.0");
  EXPECT_EQ(FormatIpv4(Ipv4Address{0xffffffffu}), "255.255.255.255");
  EXPECT_EQ(FormatEndpoint(Endpoint{kLoopbackAddress, 9877}), "127.0.0.1:9877");
}

TEST(Ipv4Text, ParseInvertsFormat) {
  // Claim: parsing what FormatIpv4 prints gives the same address, across the byte range.
  for (std::uint32_t value : {0u, 1u, 0x7f000001u, 0x0a0b0c0du, 0xc0a80001u, 0xffffffffu,
                              0x00ff00ffu, 0x80000000u}) {
    Result<Ipv4Address> parsed = ParseIpv4(FormatIpv4(Ipv4Address{value}));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.value().value, value);
  }
}

TEST(Ipv4Text, ParseRejectsEverythingButFourDecimalParts) {
  // Claim: hex, octal-looking leading zeros, missing parts, stray characters are errors.
  for (const char* bad : {"", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1.2.3.256", "1.2.3.-1",
                          "1.2.3.4 ", "a.b.c.d", "0x1.2.3.4", "0001.2.3.4", "1.2.3.4/8", "010.0.0.1", "1.2.3.00"}) {
    EXPECT_FALSE(ParseIpv4(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace netref::core

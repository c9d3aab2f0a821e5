// chat_relay_fuzzer.cc: C2-C6, the chat server's relay plan, step by step against a plain model.
//
// Input: capacity (0..16) and leave-on-end from the first two bytes, then events: one byte
// (sender = one of 16 endpoints in its low 4 bits, bit 4 = truncated, bit 5 = payload "END\n"),
// else a length byte and the payload. The model is a vector in first-seen order. Invariants per
// datagram: a new sender is dropped exactly when the list is full (and then nothing is sent or
// logged); otherwise every listed client but the sender gets the prefix then the payload, in list
// order; the console line is `nClient: N `, the events [truncation line]; with leave-on-end,
// END\n removes
// its sender after the relay; the relay's list equals the model's, never over capacity.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "reference/core/chat_wire.h"
#include "reference/core/relay_plan.h"

using netref::core::Endpoint;

namespace {

// Distinct (address, port) pairs that share addresses and ports, so identity must be the pair.
Endpoint PoolEndpoint(unsigned index) {
  static const std::uint32_t kAddresses[] = {0x7f000001, 0x7f000002, 0xc0000201, 0x00000000,
                                             0xffffffff};  // 127.0.0.1/.2, 192.0.2.1, 0/0, bcast
  static const std::uint16_t kPorts[] = {5000, 5001, 0, 65535};
  return Endpoint{{kAddresses[index % 5]}, kPorts[index % 4]};  // 16 of the 20 pairs.
}

// inet_ntoa's "a.b.c.d", from the address bytes.
std::string ModelAddress(const Endpoint& e) {
  char text[16];
  const std::uint32_t a = e.address.value;
  std::snprintf(text, sizeof text, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255u, (a >> 8) & 255u,
                a & 255u);
  return text;
}

// C4: `"%s: %d>> "`.
std::string ModelPrefix(const Endpoint& e) {
  return ModelAddress(e) + ": " + std::to_string(e.port) + ">> ";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  netref::fuzz::FuzzInput input(data, size);
  const std::size_t capacity = input.InRange(0, 16);
  const bool leave_on_end = (input.Byte() & 1) != 0;
  netref::core::ChatRelay relay(capacity, leave_on_end);
  std::vector<Endpoint> model;
  while (!input.empty()) {
    const std::uint8_t event = input.Byte();
    const Endpoint sender = PoolEndpoint(event & 15u);
    const bool truncated = (event & 16u) != 0;
    const std::string payload((event & 32u) != 0 ? "END\n" : input.ShortString());
    const netref::core::RelayPlan plan = relay.OnDatagram(sender, payload, truncated);

    std::size_t at = 0;
    while (at < model.size() && model[at] != sender) ++at;
    if (at == model.size() && model.size() >= capacity) {  // C2: new and full: dropped.
      FUZZ_CHECK(plan.dropped && plan.sends.empty() && plan.console_lines.empty() &&
                 plan.events.empty() && !plan.left);
    } else {
      FUZZ_CHECK(!plan.dropped);
      if (at == model.size()) model.push_back(sender);
      std::vector<std::string> events;
      if (truncated) {
        events.push_back("datagram from " + ModelAddress(sender) + ":" +
                         std::to_string(sender.port) + " truncated to " +
                         std::to_string(payload.size()) + " bytes");  // C6: an event.
      }
      FUZZ_CHECK(plan.events == events);
      FUZZ_CHECK(plan.console_lines ==
                 std::vector<std::string>{"nClient: " + std::to_string(model.size()) + " "});
      std::size_t s = 0;
      for (const Endpoint& to : model) {
        if (to == sender) continue;  // C4: never to the sender.
        FUZZ_CHECK(s + 2 <= plan.sends.size());
        FUZZ_CHECK(plan.sends[s].to == to && plan.sends[s].bytes == ModelPrefix(sender));
        FUZZ_CHECK(plan.sends[s + 1].to == to && plan.sends[s + 1].bytes == payload);
        s += 2;
      }
      FUZZ_CHECK(s == plan.sends.size());
      const bool leaves = leave_on_end && payload == "END\n";  // C5 extension.
      FUZZ_CHECK(plan.left == leaves);
      if (leaves) model.erase(model.begin() + static_cast<std::ptrdiff_t>(at));
    }
    FUZZ_CHECK(relay.clients().clients() == model && model.size() <= capacity);
    const auto parsed = netref::core::ParseChatPrefix(ModelPrefix(sender));
    FUZZ_CHECK(parsed.ok() && parsed.value() == sender);
  }
  return 0;
}

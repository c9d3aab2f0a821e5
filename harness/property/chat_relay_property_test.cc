// chat_relay_property_test.cc: the chat server's laws (C2-C6) for core::ChatRelay and its
// core::ChatClientList, model-based with rc::state, and C4's prefix as a text form.
//
// The model is a plain list of endpoints and a capacity; each command is one datagram from one
// of 15 addresses (the same IP with different ports, the same port with different IPs), with
// any payload, the empty one and `END\n` included. After every command the relay's plan and its
// list must be what the model says. Must not: open sockets (harness/e2e/chat_server_test.cc runs
// the real server).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/property/generators.h"
#include "harness/property/required_cases.h"
#include "reference/core/chat_client_list.h"
#include "reference/core/chat_lines.h"
#include "reference/core/chat_wire.h"
#include "reference/core/ipv4.h"
#include "reference/core/lecture_limits.h"
#include "reference/core/relay_plan.h"

namespace netref::core {
namespace {

// 15 senders: the same IP with different ports, the same port with different IPs, and the
// extreme values of both. They are values only: nothing is sent anywhere.
const std::vector<Endpoint>& AddressPool() {
  static const std::vector<Endpoint> pool = {
      {{0x7f000001}, 5000},  {{0x7f000001}, 5001}, {{0x7f000001}, 5002},  {{0x7f000001}, 0},
      {{0x7f000001}, 65535}, {{0x7f000002}, 5000}, {{0x7f000003}, 5000},  {{0x7f0000ff}, 5000},
      {{0x7f010101}, 5001},  {{0x7fffffff}, 5000}, {{0x00000000}, 5000},  {{0xffffffff}, 5000},
      {{0x01020304}, 80},    {{0x01020304}, 8080}, {{0x7f000001}, 50000},
  };
  return pool;
}

// The model: the list as C2 and C5 describe it.
struct ChatModel {
  std::size_t capacity = kLectureMaxClients;
  bool leave_on_end = false;
  std::vector<Endpoint> clients;  // First-seen order.

  bool Listed(const Endpoint& e) const {
    return std::find(clients.begin(), clients.end(), e) != clients.end();
  }
};

struct ChatSut {
  ChatRelay relay;
  // Which edges the command sequence reached, for RC_CLASSIFY once per case.
  bool reached_full = false, dropped = false, empty_payload = false, left = false;
  bool listed_at_full = false, truncated = false;
};

// One datagram from AddressPool()[sender] carrying `payload`.
struct Datagram : rc::state::Command<ChatModel, ChatSut> {
  std::size_t sender = *rc::gen::inRange<std::size_t>(0, AddressPool().size());
  std::string payload = *rc::gen::weightedOneOf<std::string>({
      {2, rc::gen::just(std::string())},
      {3, rc::gen::just(std::string(kChatEndPayload))},
      {1, rc::gen::element<std::string>("END", "END\r\n", "hello\n", "\n")},
      {4, property::ByteString(kMaxRead)},
  });
  bool truncated =
      *rc::gen::weightedOneOf<bool>({{9, rc::gen::just(false)}, {1, rc::gen::just(true)}});

  const Endpoint& from() const { return AddressPool()[sender]; }

  // C2 and C5, as the model says.
  void apply(ChatModel& model) const override {
    if (!model.Listed(from())) {
      if (model.clients.size() >= model.capacity) return;  // C2: dropped.
      model.clients.push_back(from());
    }
    if (model.leave_on_end && payload == kChatEndPayload) {  // C5 extension: leaves after relay.
      model.clients.erase(std::find(model.clients.begin(), model.clients.end(), from()));
    }
  }

  void run(const ChatModel& model, ChatSut& sut) const override {
    const bool is_new = !model.Listed(from());
    const bool full = model.clients.size() >= model.capacity;
    const RelayPlan plan = sut.relay.OnDatagram(from(), payload, truncated);

    // C2: dropped exactly when the sender is new and the list full; then nothing at all.
    RC_ASSERT(plan.dropped == (is_new && full));
    if (plan.dropped) {
      RC_ASSERT(plan.sends.empty());
      RC_ASSERT(plan.console_lines.empty());
      RC_ASSERT(plan.events.empty());
      RC_ASSERT(!plan.left);
    } else {
      std::vector<Endpoint> listed = model.clients;
      if (is_new) listed.push_back(from());
      // C4: every other listed client, in list order, gets the prefix then the payload.
      std::vector<OutgoingDatagram> expected;
      for (const Endpoint& client : listed) {
        if (client == from()) continue;
        expected.push_back({client, FormatChatPrefix(from())});
        expected.push_back({client, payload});
      }
      RC_ASSERT(plan.sends.size() == expected.size());
      for (std::size_t i = 0; i < expected.size(); ++i) {
        RC_ASSERT(plan.sends[i].to == expected[i].to);
        RC_ASSERT(plan.sends[i].bytes == expected[i].bytes);
      }
      // C6: the truncation line if cut, as an event; C3: `nClient: N` counting the sender.
      std::vector<std::string> events;
      if (truncated) events.push_back(TruncationLine(from(), payload.size()));
      RC_ASSERT(plan.events == events);
      RC_ASSERT(plan.console_lines == std::vector<std::string>{ClientCountLine(listed.size())});
      RC_ASSERT(plan.left == (model.leave_on_end && payload == kChatEndPayload));
    }
    // The sender is never a recipient, whatever the model says.
    for (const OutgoingDatagram& send : plan.sends) RC_ASSERT(send.to != from());

    // The list after the datagram: the model's (so first-seen order), within capacity, no
    // duplicates.
    const std::vector<Endpoint>& after = sut.relay.clients().clients();
    RC_ASSERT(after == nextState(model).clients);
    RC_ASSERT(after.size() <= model.capacity);
    for (std::size_t i = 0; i < after.size(); ++i) {
      RC_ASSERT(std::count(after.begin(), after.end(), after[i]) == 1);
    }

    sut.reached_full |= full;
    sut.dropped |= plan.dropped;
    sut.empty_payload |= payload.empty() && !plan.sends.empty();
    sut.left |= plan.left;
    sut.listed_at_full |= full && !is_new;
    sut.truncated |= truncated && !plan.dropped;
  }

  void show(std::ostream& os) const override {
    os << "datagram from " << FormatEndpoint(from()) << (truncated ? " (truncated)" : "")
       << " with " << payload.size() << " bytes";
    if (payload.size() <= 16) {
      os << " \"";
      for (char c : payload) {
        if (c >= ' ' && c < 0x7f) {
          os << c;
        } else {
          os << "\\x"
             << "0123456789abcdef"[(c >> 4) & 0xf] << "0123456789abcdef"[c & 0xf];
        }
      }
      os << "\"";
    }
  }
};

// The edges of C2-C6, each required in at least this share of the runs: about a fifth of what
// the generators reach (see required_cases.h).
const std::vector<property::RequiredCase> kRelayCases = {
    {"list full", 0.10},
    {"datagram dropped", 0.10},              // C2: a new sender at a full list.
    {"listed sender at a full list", 0.10},  // C2: still relayed.
    {"empty payload relayed", 0.10},         // C4.
    {"truncated datagram relayed", 0.10},    // C6.
    {"left on END", 0.05},                   // C5 extension.
};

// C2-C6: for any capacity 1..12, leave-on-end on or off, and any sequence of datagrams, the
// relay's plans and list are the model's.
NETREF_PROP_REQUIRING(C2C5ChatRelay, PlansAndListFollowTheModelForAnyDatagrams, kRelayCases, ()) {
  ChatModel model;
  model.capacity = *rc::gen::weightedOneOf<std::size_t>({
      {3, rc::gen::inRange<std::size_t>(1, 13)},
      {1, rc::gen::just(kLectureMaxClients)},
  });
  model.leave_on_end = *rc::gen::arbitrary<bool>();
  ChatSut sut{ChatRelay(model.capacity, model.leave_on_end)};
  RC_ASSERT(sut.relay.clients().capacity() == model.capacity);
  RC_ASSERT(sut.relay.clients().size() == 0u);
  rc::state::check(model, sut, rc::state::gen::execOneOfWithArgs<Datagram>());
  RC_CLASSIFY(sut.reached_full, "list full");
  RC_CLASSIFY(sut.dropped, "datagram dropped");
  RC_CLASSIFY(sut.empty_payload, "empty payload relayed");
  RC_CLASSIFY(sut.left, "left on END");
  RC_CLASSIFY(sut.listed_at_full, "listed sender at a full list");
  RC_CLASSIFY(sut.truncated, "truncated datagram relayed");
  RC_CLASSIFY(model.capacity == kLectureMaxClients, "capacity 10");
}

// C4: the prefix of every sender reads back as that sender.
RC_GTEST_PROP(C4ChatPrefix, FormatThenParseIsIdentityForEveryAddressAndPort,
              (std::uint32_t address, std::uint16_t port)) {
  const Endpoint sender{Ipv4Address{address}, port};
  const std::string prefix = FormatChatPrefix(sender);
  RC_ASSERT(prefix == FormatIpv4(sender.address) + ": " + std::to_string(port) + ">> ");
  const Result<Endpoint> parsed = ParseChatPrefix(prefix);
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed.value() == sender);
}

// Rejection is the law's point; an edit that happens to be another sender's exact prefix comes
// up in under 10% of the runs, too rarely to require (FormatThenParse covers acceptance).
const std::vector<property::RequiredCase> kPrefixCases = {{"rejected", 0.30}};

// C4: a prefix changed by one edit (a byte deleted, inserted, replaced or doubled, a leading zero,
// a port past 65535) parses only if it is itself exactly some sender's prefix.
NETREF_PROP_REQUIRING(C4ChatPrefix, AnythingButAnExactPrefixFailsToParse, kPrefixCases,
                      (std::uint32_t address, std::uint16_t port)) {
  const Endpoint sender{Ipv4Address{address}, port};
  const std::string prefix = FormatChatPrefix(sender);
  const std::size_t at = *rc::gen::inRange<std::size_t>(0, prefix.size());
  const char byte = *rc::gen::oneOf(rc::gen::arbitrary<char>(),
                                    rc::gen::element(' ', ':', '>', '.', '0', '9', '\0'));
  std::string mutated = prefix;
  switch (*rc::gen::inRange(0, 8)) {
    case 0:
      mutated.erase(at, 1);
      break;
    case 1:
      mutated.insert(at, 1, byte);
      break;
    case 2:
      mutated[at] = byte;
      break;
    case 3:
      mutated.insert(at, 1, prefix[at]);
      break;
    case 4:
      mutated = FormatIpv4(sender.address) + ": 0" + std::to_string(port) + ">> ";
      break;
    case 5:
      mutated = FormatIpv4(sender.address) + ": " + std::to_string(65536 + port) + ">> ";
      break;
    case 6:
      mutated = prefix.substr(0, at);
      break;
    default:
      mutated = "0" + prefix;
      break;
  }
  const Result<Endpoint> parsed = ParseChatPrefix(mutated);
  if (parsed.ok()) {
    RC_ASSERT(FormatChatPrefix(parsed.value()) == mutated);
  } else {
    RC_ASSERT(!parsed.error().empty());
  }
  RC_CLASSIFY(mutated == prefix, "unchanged");
  RC_CLASSIFY(parsed.ok() && mutated != prefix, "another exact prefix");
  RC_CLASSIFY(!parsed.ok(), "rejected");
}

}  // namespace
}  // namespace netref::core

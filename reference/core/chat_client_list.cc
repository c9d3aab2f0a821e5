// chat_client_list.cc: the chat server's client list (C2, C5). Must not: do I/O.
#include "reference/core/chat_client_list.h"

#include <algorithm>

namespace netref::core {

ChatClientList::ChatClientList(std::size_t capacity) : capacity_(capacity) {
  clients_.reserve(std::min(capacity, kLectureMaxClients));
}

// The lecture's checkSockList: a linear search in first-seen order (memcmp of the whole
// sockaddr_in there; address and port here, which is what that memcmp compares in practice).
std::optional<std::size_t> ChatClientList::Find(const Endpoint& sender) const {
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    if (clients_[i] == sender) return i;
  }
  return std::nullopt;
}

// C2: `if(res == MAX_CLIENT) continue;` - a new sender while the list is full is not added.
std::optional<std::size_t> ChatClientList::FindOrAdd(const Endpoint& sender) {
  if (std::optional<std::size_t> index = Find(sender)) return index;
#ifdef NETREF_PLANT_CAPACITY_OFF_BY_ONE  // Test-only bug for `ci/fuzz --self-check`.
  if (clients_.size() > capacity_) return std::nullopt;
#else
  if (full()) return std::nullopt;
#endif
  clients_.push_back(sender);
  return clients_.size() - 1;
}

// C5 extension: erase keeps the order of the clients after the removed one.
bool ChatClientList::Remove(const Endpoint& sender) {
  const std::optional<std::size_t> index = Find(sender);
  if (!index) return false;
  clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(*index));
  return true;
}

}  // namespace netref::core

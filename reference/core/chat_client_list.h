// chat_client_list.h: the chat server's list of clients (C2, C5), as a pure value.
//
// A client is its (IPv4 address, port). New senders are appended in first-seen order up to a
// capacity (MAX_CLIENT = 10 in the lecture); a new sender while the list is full is refused.
// Must not: do I/O.
//
// NOTE (interface fixed by the foundation; the chat issue implements it in chat_client_list.cc).
#ifndef NETREF_REFERENCE_CORE_CHAT_CLIENT_LIST_H_
#define NETREF_REFERENCE_CORE_CHAT_CLIENT_LIST_H_

#include <cstddef>
#include <optional>
#include <vector>

#include "reference/core/ipv4.h"

namespace netref::core {

inline constexpr std::size_t kLectureMaxClients = 10;  // C2: #define MAX_CLIENT 10

class ChatClientList {
 public:
  explicit ChatClientList(std::size_t capacity = kLectureMaxClients);

  // The index of `sender` in the list, or nullopt.
  std::optional<std::size_t> Find(const Endpoint& sender) const;

  // C2: the index of `sender`, appending it first if it is new and there is room;
  // nullopt if it is new and the list is full (the datagram is then dropped).
  std::optional<std::size_t> FindOrAdd(const Endpoint& sender);

  // C5 extension (--leave-on-end): removes `sender` if listed; later clients move up one place,
  // keeping their order. Returns whether it was listed.
  bool Remove(const Endpoint& sender);

  const std::vector<Endpoint>& clients() const { return clients_; }
  std::size_t size() const { return clients_.size(); }
  std::size_t capacity() const { return capacity_; }
  bool full() const { return clients_.size() >= capacity_; }

 private:
  std::size_t capacity_;
  std::vector<Endpoint> clients_;
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_CHAT_CLIENT_LIST_H_

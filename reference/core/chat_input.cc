// chat_input.cc: the chat client's stdin framing (C7). Must not: do I/O.
#include "reference/core/chat_input.h"

#include <algorithm>

#include "reference/core/chat_wire.h"

namespace netref::core {

std::vector<std::string> ChatInputFramer::Feed(std::string_view bytes) {
  std::vector<std::string> datagrams;
  while (!ended_ && !bytes.empty()) {
    // Take bytes up to and including a newline, but never let a piece pass kMaxChatPiece.
    const std::size_t room = kMaxChatPiece - partial_.size();
    const std::string_view window = bytes.substr(0, std::min(room, bytes.size()));
    const std::size_t newline = window.find('\n');
    const std::size_t take = newline == std::string_view::npos ? window.size() : newline + 1;
    partial_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (newline == std::string_view::npos && partial_.size() < kMaxChatPiece) break;
    // C7: the lecture compares the line without its newline with "END" after sending it.
    ended_ = partial_ == kChatEndPayload;
    datagrams.push_back(std::move(partial_));
    partial_.clear();
  }
  return datagrams;
}

std::vector<std::string> ChatInputFramer::Finish() {
  std::vector<std::string> datagrams;
  if (!ended_ && !partial_.empty()) datagrams.push_back(std::move(partial_));
  partial_.clear();
  ended_ = true;
  return datagrams;
}

}  // namespace netref::core

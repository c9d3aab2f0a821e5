// output_buffer.h: bytes waiting to be written, for writers that may write short.
//
// A blocking writer loops until Pending() is empty (posix/fd_io.h WriteAll); a non-blocking one
// (the epoll server) keeps the buffer across readiness events. Consume(n) after a write of n
// bytes. Must not: do I/O.
//
// Written bytes are freed when the buffer drains, not before: a writer that appends faster than
// it drains keeps them all. The epoll server never does: it reads again only once a client's
// echo is all written, so a buffer holds at most one read (kMaxRead bytes), and compacting a
// half-written buffer would be code that no program runs.
#ifndef NETREF_REFERENCE_CORE_OUTPUT_BUFFER_H_
#define NETREF_REFERENCE_CORE_OUTPUT_BUFFER_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace netref::core {

class OutputBuffer {
 public:
  void Append(std::string_view bytes) { data_.append(bytes); }
  std::string_view Pending() const { return std::string_view(data_).substr(offset_); }
  bool empty() const { return offset_ == data_.size(); }
  // Bytes held, written or not: what the buffer costs in memory (0 once it has drained).
  std::size_t held() const { return data_.size(); }

  // Marks the first `n` pending bytes as written; n must not exceed Pending().size().
  void Consume(std::size_t n);

 private:
  std::string data_;
  std::size_t offset_ = 0;  // Bytes of data_ already written; 0 again once all are.
};

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_OUTPUT_BUFFER_H_

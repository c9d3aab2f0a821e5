// output_buffer.cc
#include "reference/core/output_buffer.h"

#include <cassert>

namespace netref::core {

void OutputBuffer::Consume(std::size_t n) {
  assert(n <= Pending().size());
  offset_ += n;
  if (offset_ == data_.size()) {
    data_.clear();
    offset_ = 0;
  } else if (offset_ > 65536 && offset_ * 2 > data_.size()) {
    // Compact so that a slow reader does not make the buffer grow without bound.
    data_.erase(0, offset_);
    offset_ = 0;
  }
}

}  // namespace netref::core

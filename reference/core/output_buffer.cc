// output_buffer.cc
#include "reference/core/output_buffer.h"

#include <cassert>

namespace netref::core {

void OutputBuffer::Consume(std::size_t n) {
  assert(n <= Pending().size());
  offset_ += n;
  // Drained: start over, which frees the written bytes for the next Append.
  if (offset_ == data_.size()) {
    data_.clear();
    offset_ = 0;
  }
}

}  // namespace netref::core

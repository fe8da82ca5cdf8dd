#pragma once
/// @file
/// A FIFO on a power-of-two ring that only allocates when it must grow (never in steady state).
#include <cstddef>
#include <vector>

namespace joulesim::gpu {

template <typename T>
class RingQueue {
 public:
  explicit RingQueue(size_t capacity = 16) : buf_(round_pow2(capacity)) {}
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  T& front() { return buf_[head_]; }
  const T& front() const { return buf_[head_]; }
  void pop() {
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
  }
  void push(const T& v) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = v;
    ++size_;
  }
  void clear() { head_ = size_ = 0; }

 private:
  static size_t round_pow2(size_t n) {
    size_t p = 1;
    while (p < n) p <<= 1;
    return p;
  }
  void grow() {
    std::vector<T> bigger(buf_.size() * 2);
    for (size_t i = 0; i < size_; ++i) bigger[i] = buf_[(head_ + i) & (buf_.size() - 1)];
    buf_.swap(bigger);
    head_ = 0;
  }
  std::vector<T> buf_;
  size_t head_ = 0, size_ = 0;
};

}  // namespace joulesim::gpu

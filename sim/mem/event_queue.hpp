#pragma once
/// @file
/// EventQueue: the time-ordered queue that drives the memory hierarchy. A 4-ary min-heap of
/// 16-byte (time, sequence|slot) nodes (four children fill one 64-byte cache line, and the heap
/// is half as deep as a binary one) over a pool of event payloads, both preallocated and
/// recycled, ordered by (time, insertion sequence) so that events at equal times are handled
/// first-in first-out and runs are deterministic.
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace joulesim::mem {

/// What an event does when its time comes (handled in MemoryHierarchy::Impl::dispatch).
enum class EventType : uint8_t {
  kReqAtSlicePort,  ///< head of a request packet reaches its L2 slice's crossbar port
  kSliceLookup,     ///< request fully delivered: enters the slice pipeline
  kSliceProcess,    ///< the slice pipeline starts on a request that had to queue
  kSliceRespOut,    ///< response (data or write ack) leaves the slice through its crossbar port
  kRespAtSmPort,    ///< head of a response packet reaches the SM's crossbar port
  kRespVisible,     ///< response fully delivered: visible to pop_response
  kSliceRetry,      ///< a stalled slice may proceed (an MSHR or a DRAM queue slot freed)
  kLlcLookup,       ///< an L2 miss or write-back reaches the memory-side cache
  kDramArrive,      ///< a request joins its DRAM channel's queue
  kDramDone,        ///< read data for an L2 line is back from DRAM or the LLC
};

struct Event {
  int64_t time = 0;  ///< picoseconds
  uint64_t seq = 0;
  uint64_t addr = 0;  ///< line number where needed
  uint32_t a = 0;     ///< request record / channel / slice, per type
  uint32_t b = 0;     ///< entry index / sector mask, per type
  EventType type = EventType::kReqAtSlicePort;
};

class EventQueue {
 public:
  explicit EventQueue(size_t reserve = 1 << 14) {
    heap_.reserve(reserve);
    payload_.reserve(reserve);
    free_.reserve(reserve);
  }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  int64_t top_time() const { return heap_.front().time; }

  void push(int64_t time, EventType type, uint32_t a, uint32_t b = 0, uint64_t addr = 0) {
    uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<uint32_t>(payload_.size());
      if (slot > kSlotMask) throw std::length_error("memory event queue: too many pending events");
      payload_.push_back({});
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    payload_[slot] = Event{time, seq_, addr, a, b, type};
    // Sequence in the high 40 bits, payload slot in the low 24: one compare orders equal times.
    const Node n{time, (seq_++ << kSlotBits) | slot};
    size_t i = heap_.size();
    heap_.push_back(n);
    while (i > 0) {  // sift the hole up
      const size_t parent = (i - 1) / kArity;
      if (!less(n, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = n;
  }

  Event pop() {
    const auto slot = static_cast<uint32_t>(heap_.front().key & kSlotMask);
    const Node last = heap_.back();
    heap_.pop_back();
    const size_t n = heap_.size();
    if (n > 0) {
      size_t i = 0;  // sift the hole down
      for (;;) {
        const size_t first = kArity * i + 1;
        if (first >= n) break;
        size_t child = first;
        const size_t end = std::min(first + kArity, n);
        for (size_t c = first + 1; c < end; ++c) {
          if (less(heap_[c], heap_[child])) child = c;
        }
        if (!less(heap_[child], last)) break;
        heap_[i] = heap_[child];
        i = child;
      }
      heap_[i] = last;
    }
    free_.push_back(slot);
    return payload_[slot];
  }

  void clear() {
    heap_.clear();
    payload_.clear();
    free_.clear();
  }

 private:
  static constexpr size_t kArity = 4;
  static constexpr uint32_t kSlotBits = 24;
  static constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
  struct Node {
    int64_t time;
    uint64_t key;
  };
  static bool less(const Node& x, const Node& y) {
    return x.time != y.time ? x.time < y.time : x.key < y.key;
  }
  std::vector<Node> heap_;
  std::vector<Event> payload_;
  std::vector<uint32_t> free_;
  uint64_t seq_ = 0;
};

}  // namespace joulesim::mem

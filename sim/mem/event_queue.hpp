#pragma once
/// @file
/// EventQueue: the time-ordered queue that drives the memory hierarchy. A binary min-heap on a
/// preallocated vector, ordered by (time, insertion sequence) so that events at equal times are
/// handled first-in first-out and runs are deterministic.
#include <cstdint>
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
  kDramTick,        ///< a DRAM channel may issue a command at this command-clock edge
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
  explicit EventQueue(size_t reserve = 1 << 14) { heap_.reserve(reserve); }
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  const Event& top() const { return heap_.front(); }

  void push(int64_t time, EventType type, uint32_t a, uint32_t b = 0, uint64_t addr = 0) {
    heap_.push_back(Event{time, seq_++, addr, a, b, type});
    size_t i = heap_.size() - 1;
    while (i > 0) {
      const size_t parent = (i - 1) / 2;
      if (!less(heap_[i], heap_[parent])) break;
      std::swap(heap_[i], heap_[parent]);
      i = parent;
    }
  }

  Event pop() {
    Event out = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    const size_t n = heap_.size();
    size_t i = 0;
    for (;;) {
      const size_t l = 2 * i + 1;
      const size_t r = l + 1;
      size_t m = i;
      if (l < n && less(heap_[l], heap_[m])) m = l;
      if (r < n && less(heap_[r], heap_[m])) m = r;
      if (m == i) break;
      std::swap(heap_[i], heap_[m]);
      i = m;
    }
    return out;
  }

  void clear() { heap_.clear(); }

 private:
  static bool less(const Event& x, const Event& y) {
    return x.time != y.time ? x.time < y.time : x.seq < y.seq;
  }
  std::vector<Event> heap_;
  uint64_t seq_ = 0;
};

}  // namespace joulesim::mem

#pragma once
/// @file
/// Thread-block clusters (sm_90 cluster launch). Internal to the gpu subsystem.
///  - ClusterGather collects the CTAs of each cluster from a kernel's CTA stream (in any order; a
///    trace written cluster by cluster needs no buffering), so the dispatcher can place a whole
///    cluster at once on SMs of one GPC.
///  - SignalQueue carries signals between the SMs of a GPC over its SM-to-SM network (a remote
///    mbarrier arrive), delivered by the engine after noc.sm_to_sm_latency.
#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "trace/trace.hpp"

namespace joulesim::gpu {

/// Where a cluster's CTA lives: SM, CTA slot on it, and the slot's generation (so a signal for a
/// CTA that has retired is recognised).
struct ClusterPeer {
  uint16_t sm = 0;
  uint16_t slot = 0;
  uint32_t gen = 0;
};

/// Collects CTAs into clusters of kernel @p info's cluster shape.
class ClusterGather {
 public:
  /// New kernel (keeps the CtaTrace storage for reuse).
  void begin(const trace::KernelInfo& info);
  /// Reads CTAs until one cluster is complete and points @p out at its CTAs in rank order (x
  /// fastest within the cluster). @p on_read is called after every CTA read (the engine decodes
  /// newly interned opcodes there). False when the stream ended; throws Error naming the kernel if
  /// CTAs of an incomplete cluster remain, or a CTA id lies outside the grid or repeats.
  template <typename OnRead>
  bool next(trace::KernelReader& reader, std::vector<trace::CtaTrace*>& out, OnRead on_read) {
    out.clear();
    for (;;) {
      if (!ready_.empty()) {
        const uint64_t c = ready_.front();
        ready_.pop_front();
        Pending& p = pending_.at(c);
        out.assign(p.ctas.begin(), p.ctas.end());
        pending_.erase(c);
        return true;
      }
      trace::CtaTrace* cta = take();
      if (!reader.next_cta(*cta)) {
        give_back(cta);
        if (!pending_.empty()) throw incomplete();
        return false;
      }
      on_read();
      add(cta);
    }
  }
  /// Returns the storage of a dispatched cluster's CTAs (after they were made resident).
  void release(const std::vector<trace::CtaTrace*>& ctas) {
    for (trace::CtaTrace* c : ctas) give_back(c);
  }
  /// Rank of CTA @p id in its cluster (x fastest).
  uint32_t rank_of(const trace::Dim3& id) const {
    return id.x % shape_.x + shape_.x * (id.y % shape_.y + shape_.y * (id.z % shape_.z));
  }

 private:
  struct Pending {
    std::vector<trace::CtaTrace*> ctas;  ///< by rank; nullptr until read
    uint32_t have = 0;
  };
  trace::CtaTrace* take();
  void give_back(trace::CtaTrace* c) { free_.push_back(c); }
  void add(trace::CtaTrace* cta);
  Error incomplete() const;

  const trace::KernelInfo* info_ = nullptr;
  trace::Dim3 shape_;
  uint32_t size_ = 1;
  std::vector<std::unique_ptr<trace::CtaTrace>> storage_;
  std::vector<trace::CtaTrace*> free_;
  std::unordered_map<uint64_t, Pending> pending_;
  std::deque<uint64_t> ready_;
};

/// A remote mbarrier arrive on CTA slot @p slot (generation @p gen) of SM @p sm.
struct RemoteSignal {
  int64_t at = 0;  ///< core cycle it arrives
  uint64_t seq = 0;
  uint16_t sm = 0, slot = 0;
  uint32_t gen = 0;
  uint64_t addr = 0;  ///< the mbarrier's shared-memory address in the target CTA
};

/// Signals in flight between SMs, delivered in (cycle, posting order) order: deterministic.
class SignalQueue {
 public:
  void post(RemoteSignal s) {
    s.seq = seq_++;
    q_.push(s);
  }
  bool empty() const { return q_.empty(); }
  int64_t next_at() const { return q_.empty() ? INT64_MAX : q_.top().at; }
  RemoteSignal pop() {
    RemoteSignal s = q_.top();
    q_.pop();
    return s;
  }

 private:
  struct Later {
    bool operator()(const RemoteSignal& a, const RemoteSignal& b) const {
      return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
  };
  std::priority_queue<RemoteSignal, std::vector<RemoteSignal>, Later> q_;
  uint64_t seq_ = 0;
};

}  // namespace joulesim::gpu

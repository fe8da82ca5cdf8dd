// Thread-block clusters: gathering a cluster's CTAs from the kernel's CTA stream.
#include "gpu/cluster.hpp"

#include <string>

namespace joulesim::gpu {

void ClusterGather::begin(const trace::KernelInfo& info) {
  info_ = &info;
  shape_ = info.cluster;
  size_ = info.cluster_ctas();
  pending_.clear();
  ready_.clear();
  free_.clear();
  for (auto& s : storage_) free_.push_back(s.get());
}

trace::CtaTrace* ClusterGather::take() {
  if (free_.empty()) {
    storage_.push_back(std::make_unique<trace::CtaTrace>());
    return storage_.back().get();
  }
  trace::CtaTrace* c = free_.back();
  free_.pop_back();
  return c;
}

void ClusterGather::add(trace::CtaTrace* cta) {
  const trace::Dim3& g = info_->grid;
  const trace::Dim3& id = cta->id;
  const std::string where = "kernel '" + info_->name + "': CTA (" + std::to_string(id.x) + "," +
                            std::to_string(id.y) + "," + std::to_string(id.z) + ")";
  if (id.x >= g.x || id.y >= g.y || id.z >= g.z) {
    give_back(cta);
    throw Error(where + " lies outside the grid, so it belongs to no thread-block cluster");
  }
  const uint64_t gx = g.x / shape_.x, gy = g.y / shape_.y;
  const uint64_t c = id.x / shape_.x + gx * (id.y / shape_.y + gy * (id.z / shape_.z));
  Pending& p = pending_[c];
  if (p.ctas.empty()) p.ctas.assign(size_, nullptr);
  trace::CtaTrace*& at = p.ctas[rank_of(id)];
  if (at != nullptr) {
    give_back(cta);
    throw Error(where + " appears twice in the trace");
  }
  at = cta;
  if (++p.have == size_) ready_.push_back(c);
}

Error ClusterGather::incomplete() const {
  const auto& [c, p] = *pending_.begin();
  return Error("kernel '" + info_->name + "': the trace ended with thread-block cluster " +
               std::to_string(c) + " incomplete (" + std::to_string(p.have) + " of " +
               std::to_string(size_) + " CTAs); a cluster launch runs whole clusters only");
}

}  // namespace joulesim::gpu

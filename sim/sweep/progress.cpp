// Progress: a bar redrawn in place with an ETA on a terminal, plain lines elsewhere (logs, CI).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "sweep/internal.hpp"

namespace joulesim::sweep::detail {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string duration_text(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  char buf[32];
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, t / 60 % 60);
  } else if (t >= 60) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lds", t);
  }
  return buf;
}

}  // namespace

Progress::Progress(ProgressMode mode, std::ostream& out, size_t points, size_t done_points,
                   size_t sims)
    : mode_(mode), out_(out), points_(points), done_(done_points), sims_(sims), start_(now_s()) {
  if (mode_ == ProgressMode::kAuto) {
    mode_ =
        (&out == &std::cerr && ::isatty(STDERR_FILENO)) ? ProgressMode::kBar : ProgressMode::kLines;
  }
}

void Progress::task_done(size_t points, bool simulated, bool failed, const std::string& what) {
  done_ += points;
  if (simulated) ++sims_done_;
  if (failed) ++failed_;
  if (mode_ == ProgressMode::kLines) {
    // Every simulation and every failure gets a line; fast re-pricing at most one per 2 s.
    const double t = now_s();
    if (simulated || failed || t - last_draw_ >= 2.0 || done_ == points_) {
      out_ << "[" << done_ << "/" << points_ << "] " << what << "\n" << std::flush;
      last_draw_ = t;
    }
  } else {
    draw(false);
  }
}

void Progress::draw(bool force) {
  if (mode_ != ProgressMode::kBar) return;
  const double t = now_s();
  if (!force && t - last_draw_ < 0.1) return;
  last_draw_ = t;
  const double elapsed = t - start_;
  // Simulations dominate the cost: estimate from them while any remain.
  double eta = -1;
  if (sims_done_ > 0 && sims_done_ < sims_) {
    eta = elapsed / sims_done_ * (sims_ - sims_done_);
  } else if (done_ > 0 && done_ < points_) {
    eta = elapsed / done_ * (points_ - done_);
  } else if (done_ >= points_) {
    eta = 0;
  }
  constexpr int kWidth = 30;
  const int fill = points_ == 0 ? kWidth : static_cast<int>(kWidth * done_ / points_);
  std::string bar(static_cast<size_t>(fill), '#');
  bar.resize(kWidth, '.');
  char buf[200];
  std::snprintf(buf, sizeof buf, "\r[%s] %zu/%zu points  %zu/%zu sims  %s elapsed  ETA %s%s",
                bar.c_str(), done_, points_, sims_done_, sims_, duration_text(elapsed).c_str(),
                duration_text(eta).c_str(),
                failed_ ? ("  " + std::to_string(failed_) + " failed").c_str() : "");
  out_ << buf << "\x1b[K" << std::flush;
}

void Progress::finish() {
  if (mode_ == ProgressMode::kBar) {
    draw(true);
    out_ << "\n" << std::flush;
  }
}

}  // namespace joulesim::sweep::detail

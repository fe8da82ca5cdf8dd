// NVML sampler: the handful of read-only NVML entry points the kit needs, resolved with dlsym.
// The C ABI below (opaque device handle, int return codes, enum values for clock types and the
// temperature sensor) is NVML's documented interface; declaring it here avoids needing nvml.h.
#include "nvml_sampler.hpp"

#include <dlfcn.h>

#include <chrono>
#include <cstring>

namespace capture {

namespace {
using Ret = int;  // nvmlReturn_t; 0 is NVML_SUCCESS
using Dev = void*;
constexpr int kClockSm = 1, kClockMem = 2;  // nvmlClockType_t: NVML_CLOCK_SM, NVML_CLOCK_MEM
constexpr int kTempGpu = 0;                 // nvmlTemperatureSensors_t: NVML_TEMPERATURE_GPU

double wall_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

struct NvmlSampler::Fns {
  Ret (*init)() = nullptr;
  Ret (*shutdown)() = nullptr;
  const char* (*error_string)(Ret) = nullptr;
  Ret (*by_pci)(const char*, Dev*) = nullptr;
  Ret (*by_index)(unsigned, Dev*) = nullptr;
  Ret (*name)(Dev, char*, unsigned) = nullptr;
  Ret (*driver)(char*, unsigned) = nullptr;
  Ret (*vbios)(Dev, char*, unsigned) = nullptr;
  Ret (*power)(Dev, unsigned*) = nullptr;
  Ret (*energy)(Dev, unsigned long long*) = nullptr;
  Ret (*clock)(Dev, int, unsigned*) = nullptr;
  Ret (*max_clock)(Dev, int, unsigned*) = nullptr;
  Ret (*app_clock)(Dev, int, unsigned*) = nullptr;
  Ret (*temp)(Dev, int, unsigned*) = nullptr;
  Ret (*limit)(Dev, unsigned*) = nullptr;
  Ret (*default_limit)(Dev, unsigned*) = nullptr;
  Ret (*persistence)(Dev, int*) = nullptr;
  Ret (*pstate)(Dev, int*) = nullptr;
  Ret (*events)(Dev, unsigned long long*) = nullptr;
};

template <class F>
static void bind(void* lib, F& fn, const char* sym) {
  fn = reinterpret_cast<F>(dlsym(lib, sym));
}

NvmlSampler::NvmlSampler(const std::string& pci_bus_id, int interval_ms)
    : interval_ms_(interval_ms) {
  const char* names[] = {"libnvidia-ml.so.1", "libnvidia-ml.so",
                         "/usr/local/nvidia/lib64/libnvidia-ml.so.1",
                         "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"};
  for (const char* n : names) {
    lib_ = dlopen(n, RTLD_NOW | RTLD_LOCAL);
    if (lib_) break;
  }
  if (!lib_) {
    info_.error = "libnvidia-ml.so.1 not found (no NVIDIA driver?)";
    return;
  }
  f_ = new Fns;
  bind(lib_, f_->init, "nvmlInit_v2");
  bind(lib_, f_->shutdown, "nvmlShutdown");
  bind(lib_, f_->error_string, "nvmlErrorString");
  bind(lib_, f_->by_pci, "nvmlDeviceGetHandleByPciBusId_v2");
  bind(lib_, f_->by_index, "nvmlDeviceGetHandleByIndex_v2");
  bind(lib_, f_->name, "nvmlDeviceGetName");
  bind(lib_, f_->driver, "nvmlSystemGetDriverVersion");
  bind(lib_, f_->vbios, "nvmlDeviceGetVbiosVersion");
  bind(lib_, f_->power, "nvmlDeviceGetPowerUsage");
  bind(lib_, f_->energy, "nvmlDeviceGetTotalEnergyConsumption");
  bind(lib_, f_->clock, "nvmlDeviceGetClockInfo");
  bind(lib_, f_->max_clock, "nvmlDeviceGetMaxClockInfo");
  bind(lib_, f_->app_clock, "nvmlDeviceGetApplicationsClock");
  bind(lib_, f_->temp, "nvmlDeviceGetTemperature");
  bind(lib_, f_->limit, "nvmlDeviceGetEnforcedPowerLimit");
  bind(lib_, f_->default_limit, "nvmlDeviceGetPowerManagementDefaultLimit");
  bind(lib_, f_->persistence, "nvmlDeviceGetPersistenceMode");
  bind(lib_, f_->pstate, "nvmlDeviceGetPerformanceState");
  bind(lib_, f_->events, "nvmlDeviceGetCurrentClocksEventReasons");
  if (!f_->events) bind(lib_, f_->events, "nvmlDeviceGetCurrentClocksThrottleReasons");
  if (!f_->init || !f_->power || (!f_->by_pci && !f_->by_index)) {
    info_.error = "NVML lacks nvmlInit_v2 / nvmlDeviceGetPowerUsage / a device lookup";
    return;
  }
  Ret r = f_->init();
  if (r != 0) {
    info_.error = std::string("nvmlInit_v2 failed: ") +
                  (f_->error_string ? f_->error_string(r) : std::to_string(r));
    return;
  }
  r = f_->by_pci ? f_->by_pci(pci_bus_id.c_str(), &dev_) : 1;
  if (r != 0 && f_->by_index) r = f_->by_index(0, &dev_);
  if (r != 0) {
    info_.error = "NVML found no device for PCI bus id " + pci_bus_id;
    return;
  }
  info_.ok = true;
  thread_ = std::thread([this] { loop(); });
}

NvmlSampler::~NvmlSampler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (info_.ok && f_->shutdown) f_->shutdown();
  delete f_;
  // the library stays loaded: unloading NVML while the CUDA runtime is alive gains nothing
}

bool NvmlSampler::sample_once(double& w, double& sm, double& mem, double& temp, uint64_t& ev) {
  unsigned mw = 0, c = 0, t = 0;
  if (f_->power(dev_, &mw) != 0) return false;
  w = mw / 1000.0;
  sm = (f_->clock && f_->clock(dev_, kClockSm, &c) == 0) ? c : 0;
  mem = (f_->clock && f_->clock(dev_, kClockMem, &c) == 0) ? c : 0;
  temp = (f_->temp && f_->temp(dev_, kTempGpu, &t) == 0) ? t : 0;
  unsigned long long e = 0;
  ev = (f_->events && f_->events(dev_, &e) == 0) ? e : 0;
  return true;
}

bool NvmlSampler::energy_mj(unsigned long long& mj) {
  return f_->energy && f_->energy(dev_, &mj) == 0;
}

void NvmlSampler::loop() {
  while (!stop_) {
    double w, sm, mem, temp;
    uint64_t ev;
    if (sample_once(w, sm, mem, temp, ev)) {
      std::lock_guard<std::mutex> lock(mu_);
      if (active_) {
        sum_w_ += w;
        max_w_ = w > max_w_ ? w : max_w_;
        sum_sm_ += sm;
        sum_mem_ += mem;
        sum_t_ += temp;
        max_t_ = temp > max_t_ ? temp : max_t_;
        events_ |= ev;
        ++n_;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms_));
  }
}

void NvmlSampler::begin() {
  if (!info_.ok) return;
  std::lock_guard<std::mutex> lock(mu_);
  sum_w_ = max_w_ = sum_sm_ = sum_mem_ = sum_t_ = max_t_ = 0;
  events_ = 0;
  n_ = 0;
  e0_ok_ = energy_mj(e0_);
  t0_ = wall_s();
  active_ = true;
}

PowerStats NvmlSampler::end() {
  PowerStats s;
  if (!info_.ok) return s;
  std::lock_guard<std::mutex> lock(mu_);
  active_ = false;
  unsigned long long e1 = 0;
  const bool e1_ok = energy_mj(e1);
  s.time_s = wall_s() - t0_;
  s.samples = n_;
  if (n_ > 0) {
    s.valid = true;
    s.sampled_avg_w = sum_w_ / n_;
    s.max_w = max_w_;
    s.sm_mhz = sum_sm_ / n_;
    s.mem_mhz = sum_mem_ / n_;
    s.temp_c = sum_t_ / n_;
    s.temp_max_c = max_t_;
    s.clock_events = events_;
  }
  if (e0_ok_ && e1_ok && e1 >= e0_ && s.time_s > 0) {
    s.energy_counter = true;
    s.energy_j = (e1 - e0_) / 1000.0;
    s.avg_w = s.energy_j / s.time_s;
    s.valid = true;
  } else {
    s.avg_w = s.sampled_avg_w;
    s.energy_j = s.sampled_avg_w * s.time_s;
  }
  return s;
}

NvmlInfo NvmlSampler::read_info() {
  NvmlInfo i = info_;
  if (!i.ok) return i;
  char buf[256];
  unsigned v = 0;
  int e = 0;
  if (f_->name && f_->name(dev_, buf, sizeof buf) == 0) i.name = buf;
  if (f_->driver && f_->driver(buf, sizeof buf) == 0) i.driver = buf;
  if (f_->vbios && f_->vbios(dev_, buf, sizeof buf) == 0) i.vbios = buf;
  if (f_->limit && f_->limit(dev_, &v) == 0) i.power_limit_w = v / 1000.0;
  if (f_->default_limit && f_->default_limit(dev_, &v) == 0) i.default_power_limit_w = v / 1000.0;
  if (f_->max_clock && f_->max_clock(dev_, kClockSm, &v) == 0) i.max_sm_mhz = v;
  if (f_->max_clock && f_->max_clock(dev_, kClockMem, &v) == 0) i.max_mem_mhz = v;
  if (f_->app_clock && f_->app_clock(dev_, kClockSm, &v) == 0) i.app_sm_mhz = v;
  if (f_->app_clock && f_->app_clock(dev_, kClockMem, &v) == 0) i.app_mem_mhz = v;
  if (f_->persistence && f_->persistence(dev_, &e) == 0) i.persistence = e;
  if (f_->pstate && f_->pstate(dev_, &e) == 0) i.pstate = e;
  double w, sm, mem, temp;
  uint64_t ev;
  if (sample_once(w, sm, mem, temp, ev)) {
    i.power_w = w;
    i.sm_mhz = sm;
    i.mem_mhz = mem;
    i.temp_c = static_cast<int>(temp);
    i.clock_events = ev;
  }
  return i;
}

}  // namespace capture

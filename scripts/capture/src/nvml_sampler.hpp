#pragma once
// NVML power sampler. NVML is loaded at run time (dlopen of libnvidia-ml.so.1, which the driver
// installs), so the kit builds on machines with the CUDA compiler but no driver or NVML headers.
// Only read-only queries are used: nothing here changes clocks, limits or modes.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace capture {

/// Averages over one measured window.
struct PowerStats {
  bool valid = false;           ///< NVML answered at least the power query
  bool energy_counter = false;  ///< avg_w comes from the energy counter (else from samples)
  double avg_w = 0;             ///< energy_j / time_s, or the sample mean without the counter
  double sampled_avg_w = 0;     ///< mean of nvmlDeviceGetPowerUsage samples
  double max_w = 0;             ///< largest sample
  double energy_j = 0;          ///< nvmlDeviceGetTotalEnergyConsumption delta
  double time_s = 0;            ///< host wall time of the window
  double sm_mhz = 0, mem_mhz = 0, temp_c = 0;  ///< sample means
  double temp_max_c = 0;
  uint64_t clock_events = 0;  ///< OR of the clock-event (throttle) reason bits seen
  int samples = 0;
};

/// Static facts about the device, read once.
struct NvmlInfo {
  bool ok = false;
  std::string error;  ///< why NVML is unavailable
  std::string name, driver, vbios;
  double power_limit_w = 0, default_power_limit_w = 0;
  double max_sm_mhz = 0, max_mem_mhz = 0;
  double app_sm_mhz = 0, app_mem_mhz = 0;
  int persistence = -1, pstate = -1, temp_c = -1;
  double sm_mhz = 0, mem_mhz = 0, power_w = 0;  ///< current, when read
  uint64_t clock_events = 0;
};

/// A thread that samples power, clocks and temperature every interval_ms while a window is open.
class NvmlSampler {
 public:
  /// Loads NVML and finds the device with the given PCI bus id; never throws.
  NvmlSampler(const std::string& pci_bus_id, int interval_ms);
  ~NvmlSampler();
  NvmlSampler(const NvmlSampler&) = delete;
  NvmlSampler& operator=(const NvmlSampler&) = delete;

  bool ok() const { return info_.ok; }
  /// Device facts plus the current clocks, power and temperature.
  NvmlInfo read_info();
  /// Opens a window (reads the energy counter, clears the averages).
  void begin();
  /// Closes the window and returns its averages.
  PowerStats end();
  int interval_ms() const { return interval_ms_; }

 private:
  void loop();
  bool sample_once(double& w, double& sm, double& mem, double& temp, uint64_t& ev);
  bool energy_mj(unsigned long long& mj);

  NvmlInfo info_;
  int interval_ms_;
  void* lib_ = nullptr;
  void* dev_ = nullptr;
  struct Fns;
  Fns* f_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  bool active_ = false;
  double t0_ = 0;
  unsigned long long e0_ = 0;
  bool e0_ok_ = false;
  double sum_w_ = 0, max_w_ = 0, sum_sm_ = 0, sum_mem_ = 0, sum_t_ = 0, max_t_ = 0;
  uint64_t events_ = 0;
  int n_ = 0;
};

}  // namespace capture

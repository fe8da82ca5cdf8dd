// `joulesim report`: the HTML pages carry the result's numbers, escape names, draw one timeline
// vertex per interval and one marker per sweep point (plus the Pareto front), and reject input
// that is not a result.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "report/result_table.hpp"

namespace {

using nlohmann::json;

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

json sample_result() {
  json t = {{"cycles", 1000},
            {"time_s", 1e-6},
            {"warp_insts", 5000},
            {"ipc", 5.0},
            {"energy_j", 3e-4},
            {"avg_power_w", 300.0},
            {"co2e_g", {{"total", 2e-8}, {"operational", 1.5e-8}, {"embodied", 5e-9}}},
            {"energy_by_component", {{"sm_datapath", 2e-4}, {"static", 1e-4}}},
            {"energy_by_op_class",
             {{"fp32_fma",
               {{"warp_insts", 4000},
                {"datapath_j", 1.5e-4},
                {"overhead_j", 5e-5},
                {"overhead_ratio", 1.0 / 3}}},
              {"fp64", {{"warp_insts", 0}, {"datapath_j", 0}, {"overhead_j", 0}}}}}};
  json k = t;
  k["name"] = "gemm<float, 128>";
  return {{"gpu", "nvidia/h100"}, {"trace", "t"}, {"total", t}, {"kernels", json::array({k})}};
}

TEST(ReportHtml, RunPageHasTheNumbersAndEscapesNames) {
  const std::string csv =
      "start_s,end_s,power_w,energy_j\n0,5e-07,250,1.25e-4\n5e-07,1e-06,350,1.75e-4\n";
  const std::string html = joulesim::report::result_html(sample_result(), csv);
  EXPECT_NE(html.find("gemm&lt;float, 128&gt;"), std::string::npos);
  EXPECT_EQ(html.find("gemm<float"), std::string::npos);
  EXPECT_NE(html.find("0.0002 J"), std::string::npos) << "sm_datapath bar label";
  EXPECT_NE(html.find("0.0001 J"), std::string::npos) << "static bar label";
  EXPECT_NE(html.find("fp32_fma"), std::string::npos);
  EXPECT_EQ(html.find("<td>fp64</td>"), std::string::npos)
      << "op classes that never ran are left out";
  // One polyline vertex per timeline interval.
  const size_t at = html.find("<polyline");
  ASSERT_NE(at, std::string::npos);
  const std::string points = html.substr(at, html.find("/>", at) - at);
  EXPECT_EQ(count(points, ","), 2u);
  // No timeline, no power plot.
  EXPECT_EQ(joulesim::report::result_html(sample_result(), "").find("<polyline"),
            std::string::npos);
  EXPECT_THROW(joulesim::report::result_html(json{{"gpu", "x"}}, ""), joulesim::Error);
}

TEST(ReportHtml, SweepPageMarksEveryPointAndTheFront) {
  std::vector<json> pts;
  for (int i = 0; i < 3; ++i) {
    pts.push_back({{"workload", "w"},
                   {"evaluation", "simulated"},
                   {"coords", {{"dvfs.core_mhz", 1000 + 100 * i}}},
                   {"metrics", {{"time_s", 1e-6 * (3 - i)}, {"energy_j", 1e-3 * (1 + i)}}}});
  }
  const json pareto = {{"w", json::array({{{"time_s", 1e-6}, {"energy_j", 3e-3}}})}};
  const std::string html = joulesim::report::sweep_html("s", pts, pareto);
  EXPECT_EQ(count(html, "class=\"pt\""), 3u);
  EXPECT_EQ(count(html, "class=\"pareto\""), 1u);
  EXPECT_NE(html.find("dvfs.core_mhz=1200"), std::string::npos);
}

}  // namespace

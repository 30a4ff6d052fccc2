// The forecast's back-test: per cut-off the P10–P90 band and P50 of new capacity in the months after it, and
// what actually happened, from the json_script "backtest-data". Labels come from the template's data- attributes.
(function () {
  const box = document.getElementById("backtest-chart");
  if (!box || typeof echarts === "undefined") return;
  const source = document.getElementById("backtest-data");
  if (!source) return;
  const d = JSON.parse(source.textContent);
  const actualLabel = box.dataset.actualLabel;
  const series = [
    { name: "P10", type: "line", data: d.p10, stack: "band", lineStyle: { opacity: 0 }, symbol: "none" },
    { name: "P10–P90", type: "line", data: d.p90.map((v, i) => v - d.p10[i]), stack: "band",
      lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(11,79,156,0.2)" }, symbol: "none" },
    { name: "P50", type: "line", data: d.p50, lineStyle: { width: 2, color: "#0b4f9c" } },
    { name: actualLabel, type: "line", data: d.actual, lineStyle: { width: 0 }, symbolSize: 9,
      itemStyle: { color: "#c62828" } },
  ];
  const chart = echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["P50", "P10–P90", actualLabel] },
    xAxis: { type: "category", data: d.dates }, yAxis: { type: "value", name: box.dataset.unit }, series,
  });
  window.addEventListener("resize", () => chart.resize());
  box.dataset.ready = "true";
})();

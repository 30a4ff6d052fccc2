// The output forecast as a fan: P10–P90 band, P50 line and the target, from the json_script named by
// data-source. The labels come from the template (data-unit, data-target-label); data-compact drops the legend
// and the toolbox for the dashboard's small card.
(function () {
  const box = document.getElementById("fan");
  if (!box || typeof echarts === "undefined") return;
  const source = document.getElementById(box.dataset.source || "fan-data");
  if (!source) return;
  const d = JSON.parse(source.textContent);
  const targetLabel = box.dataset.targetLabel;
  const series = [
    { name: "P10", type: "line", data: d.p10, stack: "band", lineStyle: { opacity: 0 }, symbol: "none" },
    { name: "P10–P90", type: "line", data: d.p90.map((v, i) => v - d.p10[i]), stack: "band", lineStyle: { opacity: 0 },
      areaStyle: { color: "rgba(11,79,156,0.2)" }, symbol: "none" },
    { name: "P50", type: "line", data: d.p50, lineStyle: { width: 3, color: "#0b4f9c" } },
  ];
  if (d.target) {
    series.push({ name: targetLabel, type: "line", data: d.years.map(() => d.target),
      lineStyle: { type: "dashed", color: "#c62828" }, symbol: "none" });
  }
  const option = {
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: d.years }, yAxis: { type: "value", name: box.dataset.unit }, series,
  };
  if (box.dataset.compact !== undefined) {
    option.grid = { left: 50, right: 20, top: 20, bottom: 25 };
  } else {
    option.legend = { data: ["P50", "P10–P90", targetLabel] };
    option.toolbox = { feature: { saveAsImage: { pixelRatio: 2 } } };
  }
  const chart = echarts.init(box);
  chart.setOption(option);
  window.addEventListener("resize", () => chart.resize());
  box.dataset.ready = "true";
})();

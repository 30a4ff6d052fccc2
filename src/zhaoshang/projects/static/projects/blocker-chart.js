// 堵点挂图: open and overdue blockers per department as bars. Department names are data and only reach the
// canvas and ECharts' default tooltip, which escapes them; the series names come from the template
// (data-open, data-overdue).
(function () {
  const box = document.getElementById("blocker-chart");
  const source = document.getElementById("blocker-chart-data");
  if (!box || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [box.dataset.open, box.dataset.overdue] },
    grid: { left: 40, right: 20, bottom: 60, top: 40 },
    xAxis: { type: "category", data: data.map((d) => d.department), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: box.dataset.open, type: "bar", data: data.map((d) => d.open), itemStyle: { color: "#f9a825" } },
      { name: box.dataset.overdue, type: "bar", data: data.map((d) => d.overdue), itemStyle: { color: "#c62828" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
  box.dataset.ready = "true";
})();

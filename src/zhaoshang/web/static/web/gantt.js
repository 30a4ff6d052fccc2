// Approval steps as a Gantt chart: planned bars (critical path in red), actual bars beneath, today's line.
// Step and department names are data: the tooltip escapes them (encodeHTML); axis labels are drawn on the
// canvas. The words come from the template (data-plan, data-actual, data-today, data-critical, data-float).
(function () {
  const box = document.getElementById("gantt");
  const source = document.getElementById("gantt-data");
  if (!box || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const words = box.dataset;
  const esc = echarts.format.encodeHTML;
  const steps = data.steps.filter((s) => s.start).reverse();
  const day = (iso) => new Date(iso + "T00:00:00").getTime();
  const plan = steps.map((s, i) => [i, day(s.start), day(s.finish) + 86400000, s.critical, s.status]);
  const actual = steps
    .map((s, i) => (s.actual_start ? [i, day(s.actual_start), day(s.actual_finish || data.today) + 86400000] : null))
    .filter(Boolean);
  const bar = (offset, height) => (params, api) => {
    const start = api.coord([api.value(1), api.value(0)]);
    const end = api.coord([api.value(2), api.value(0)]);
    const h = api.size([0, 1])[1] * height;
    return {
      type: "rect",
      shape: { x: start[0], y: start[1] - h / 2 + offset * h, width: Math.max(end[0] - start[0], 2), height: h },
      style: api.style(),
    };
  };
  const chart = echarts.init(box);
  chart.setOption({
    animation: false,
    grid: { left: 180, right: 30, top: 30, bottom: 40 },
    tooltip: {
      formatter: (p) => {
        const s = Array.isArray(p.value) ? steps[p.value[0]] : null;
        if (!s) return esc(p.name || "");
        return `<b>${esc(s.code)} ${esc(s.name)}</b><br>${esc(s.department)}<br>${esc(s.start)} → ${esc(s.finish)}<br>` +
          (s.critical ? esc(words.critical) : `${esc(words.float)} ${esc(s.float)}`);
      },
    },
    xAxis: { type: "time" },
    yAxis: { type: "category", data: steps.map((s) => `${s.code} ${s.name}`), axisLabel: { width: 170, overflow: "truncate" } },
    legend: { data: [words.plan, words.actual], top: 0 },
    series: [
      {
        name: words.plan, type: "custom", renderItem: bar(-0.35, 0.4), encode: { x: [1, 2], y: 0 },
        data: plan.map((v) => ({ value: v, itemStyle: { color: v[3] ? "#c62828" : v[4] === "done" ? "#9e9e9e" : "#0b4f9c" } })),
        markLine: { symbol: "none", label: { formatter: () => words.today }, lineStyle: { color: "#f9a825", width: 2 }, data: [{ xAxis: day(data.today) }] },
        // The building between the permit and the completion acceptance: a shaded, named band (not a step).
        markArea: data.construction ? {
          silent: true, itemStyle: { color: "rgba(120, 120, 120, 0.12)" },
          label: { position: "inside", color: "#616161", formatter: () => words.construction },
          data: [[{ xAxis: day(data.construction.start) }, { xAxis: day(data.construction.finish) + 86400000 }]],
        } : undefined,
      },
      { name: words.actual, type: "custom", renderItem: bar(0.05, 0.3), encode: { x: [1, 2], y: 0 }, data: actual, itemStyle: { color: "#2e7d32" } },
    ],
    toolbox: { feature: { saveAsImage: { pixelRatio: 2 } } },
  });
  window.addEventListener("resize", () => chart.resize());
  box.dataset.ready = "true";
})();

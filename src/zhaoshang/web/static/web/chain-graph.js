// The chain panorama: nodes laid out upstream → downstream by the server, drawn with ECharts.
(function () {
  const box = document.getElementById("chain-graph");
  const source = document.getElementById("chain-graph-data");
  if (!box || !source || typeof echarts === "undefined") return;
  const graph = JSON.parse(source.textContent);
  if (!graph.nodes.length) {
    box.innerHTML = '<p class="text-center text-body-secondary py-5">' + box.dataset.empty + "</p>";
    return;
  }
  const paint = (mode) =>
    graph.nodes.map((n) => ({ ...n, itemStyle: { color: mode === "status" ? n.statusColor : n.segmentColor } }));
  const chart = echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: {
      formatter: (p) =>
        p.dataType === "node"
          ? `<b>${p.data.name}</b><br>${p.data.segment}<br>${p.data.codes.join("、")}` +
            (p.data.status ? `<br>${p.data.firms} · LQ ${Number(p.data.lq).toFixed(2)}` : "")
          : `${graph.nodes.find((n) => n.id === p.data.source).name} → ${graph.nodes.find((n) => n.id === p.data.target).name}`,
    },
    toolbox: { feature: { saveAsImage: { pixelRatio: 2, title: "PNG" } } },
    series: [
      {
        type: "graph",
        layout: "none",
        roam: true,
        data: paint(box.dataset.colour),
        links: graph.links,
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 8,
        label: { show: true, position: "bottom", fontSize: 13 },
        lineStyle: { color: "#8aa0b8", curveness: 0.15, opacity: 0.8 },
        emphasis: { focus: "adjacency" },
      },
    ],
  });
  chart.on("click", (p) => {
    if (p.dataType === "node" && p.data.url) window.location.href = p.data.url;
  });
  window.addEventListener("resize", () => chart.resize());
  document.querySelectorAll("[data-colour]").forEach((button) => {
    if (button === box) return;
    button.addEventListener("click", () => {
      const mode = button.dataset.colour;
      chart.setOption({ series: [{ data: paint(mode) }] });
      document.querySelectorAll("button[data-colour]").forEach((b) => b.classList.toggle("active", b === button));
      document.querySelectorAll("[data-legend]").forEach((l) => (l.hidden = l.dataset.legend !== mode));
    });
  });
  box.dataset.ready = "true";
})();

// The chain panorama: nodes laid out upstream → downstream by the server, drawn with ECharts. Node names are
// data: the tooltip escapes them (encodeHTML), the labels are drawn on the canvas.
(function () {
  const box = document.getElementById("chain-graph");
  const source = document.getElementById("chain-graph-data");
  if (!box || !source || typeof echarts === "undefined") return;
  const graph = JSON.parse(source.textContent);
  if (!graph.nodes.length) {
    const empty = document.createElement("p");
    empty.className = "text-center text-body-secondary py-5";
    empty.textContent = box.dataset.empty;
    box.replaceChildren(empty);
    return;
  }
  const esc = echarts.format.encodeHTML;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  // Labels come translated from the page (data-label-*); projects are data and are escaped like names.
  const label = box.dataset;
  const projectTip = (n) => {
    const producing = (n.projects || []).filter((p) => p.producing);
    const building = (n.projects || []).filter((p) => !p.producing);
    const list = (items) => items.map((p) => `${esc(p.name)}(${esc(p.stage)})`).join("、");
    return (
      (producing.length
        ? `<br>${esc(label.labelProducing)} ${producing.length}:${list(producing)}` +
          ` · ${esc(label.labelCounted)} ${esc(n.projectFirms)}`
        : "") + (building.length ? `<br>${esc(label.labelBuilding)} ${building.length}:${list(building)}` : "")
    );
  };
  const nodeTip = (n) =>
    `<b>${esc(n.name)}</b><br>${esc(n.segment)}<br>${esc(n.codes.join("、"))}` +
    (n.status
      ? `<br>${esc(n.statusLabel || "")} · ${esc(label.labelFirms)} ${esc(n.firms)} · LQ ${Number(n.lq).toFixed(2)}` +
        projectTip(n)
      : "");
  const linkTip = (l) => `${esc(byId.get(l.source)?.name)} → ${esc(byId.get(l.target)?.name)}`;
  const paint = (mode) =>
    graph.nodes.map((n) => ({ ...n, itemStyle: { color: mode === "status" ? n.statusColor : n.segmentColor } }));
  const chart = echarts.init(box, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { formatter: (p) => (p.dataType === "node" ? nodeTip(p.data) : linkTip(p.data)) },
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

// The leaders' dashboard: the project funnel (ECharts) and projects by park on a map (Leaflet). Park names are
// data: they reach the map's labels as text nodes, never as markup.
(function () {
  const text = (value) => {
    const span = document.createElement("span");
    span.textContent = value;
    return span;
  };

  const mapBox = document.getElementById("project-map");
  if (mapBox && typeof L !== "undefined") {
    const parks = JSON.parse(document.getElementById("project-map-data").textContent).parks;
    const map = L.map(mapBox);
    window.zhaoshangBasemap(map, mapBox);
    const top = Math.max(1, ...parks.map((p) => p.investment));
    const points = parks.map((p) => {
      L.circleMarker([p.lat, p.lng], { radius: 8 + 30 * Math.sqrt(p.investment / top), color: p.stuck ? "#c62828" : "#0b4f9c", fillOpacity: 0.45 })
        .bindTooltip(text(`${p.name} · ${p.projects} · ${p.investment.toFixed(0)} ${mapBox.dataset.unit}`), { permanent: true, direction: "top" })
        .addTo(map);
      return [p.lat, p.lng];
    });
    if (points.length > 1) map.fitBounds(points, { padding: [40, 40] });
    else if (points.length === 1) map.setView(points[0], 11);
    else map.setView([35, 105], 4);
    mapBox.dataset.ready = "true";
  }

  const funnelBox = document.getElementById("funnel");
  if (funnelBox && typeof echarts !== "undefined") {
    const data = JSON.parse(document.getElementById("funnel-data").textContent);
    const chart = echarts.init(funnelBox);
    chart.setOption({
      tooltip: { trigger: "item", formatter: "{b}: {c}" }, // a template string: ECharts escapes {b}
      series: [{ type: "bar", data: data.map((d) => d.value), label: { show: true, position: "right" } }],
      xAxis: { type: "value" },
      yAxis: { type: "category", inverse: true, data: data.map((d) => d.name) },
      grid: { left: 70, right: 40, top: 10, bottom: 20 },
    });
    // Each bar opens the project list that holds exactly its number.
    chart.on("click", (params) => {
      const bar = data[params.dataIndex];
      if (bar && bar.url) window.location.href = bar.url;
    });
    window.addEventListener("resize", () => chart.resize());
    funnelBox.dataset.ready = "true";
  }
})();

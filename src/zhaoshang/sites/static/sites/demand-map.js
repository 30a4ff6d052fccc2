// A demand's ranked candidates on a small map, numbered as in the list.
(function () {
  const box = document.getElementById("demand-map");
  const source = document.getElementById("demand-candidates");
  if (!box || !source || typeof L === "undefined") return;
  const points = JSON.parse(source.textContent);
  const map = L.map(box, { zoomSnap: 0.5, maxZoom: 18 }).setView([36.82, 118.31], 11);
  window.zhaoshangBasemap(map, box);
  const escape = (value) => {
    const span = document.createElement("span");
    span.textContent = String(value);
    return span.innerHTML;
  };
  const bounds = [];
  points.forEach((p) => {
    L.circleMarker([p.lat, p.lng], { radius: 9, color: "#0b4f9c", fillOpacity: 0.8 })
      .bindTooltip(`${p.rank}`, { permanent: true, direction: "center", className: "bg-transparent border-0 text-white fw-bold shadow-none" })
      .bindPopup(`<a href="/site/${Number(p.id)}/">${escape(p.code)}</a> · ${escape(p.name)} · ${p.score.toFixed(1)}`)
      .addTo(map);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length) map.fitBounds(bounds, { padding: [25, 25], maxZoom: 15 });
  L.control.scale({ imperial: false }).addTo(map);
  box.dataset.ready = "true";
})();

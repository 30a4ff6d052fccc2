// Target cities on a map: circles sized by score around the district (no basemap unless one is configured).
// City names are data: the tooltips get them as text nodes, never as markup.
(function () {
  const box = document.getElementById("target-map");
  if (!box || typeof L === "undefined") return;
  const cities = JSON.parse(document.getElementById("target-cities-data").textContent);
  const origin = JSON.parse(document.getElementById("target-origin").textContent);
  const map = L.map(box, { zoomSnap: 0.5 });
  window.zhaoshangBasemap(map, box);
  const text = (value) => {
    const span = document.createElement("span");
    span.textContent = value;
    return span;
  };
  const points = [];
  const top = Math.max(...cities.map((c) => c.score), 1e-9);
  cities.forEach((c) => {
    L.circleMarker([c.lat, c.lng], { radius: 5 + 20 * (c.score / top), color: "#0b4f9c", fillOpacity: 0.45 })
      .bindTooltip(text(`${c.name} · ${c.firms}`), { permanent: c.score / top > 0.5, direction: "top" })
      .addTo(map);
    points.push([c.lat, c.lng]);
  });
  if (origin && origin[1] === origin[1]) {
    L.circleMarker([origin[1], origin[0]], { radius: 8, color: "#c62828", fillOpacity: 1 }).bindTooltip(text("★")).addTo(map);
    points.push([origin[1], origin[0]]);
  }
  // One point (the district alone: no target city) has no extent to fit; centre on it instead.
  if (points.length > 1) map.fitBounds(points, { padding: [20, 20] });
  else if (points.length === 1) map.setView(points[0], 8);
  else map.setView([35, 105], 4);
  L.control.scale({ imperial: false }).addTo(map);
  box.dataset.ready = "true";
})();

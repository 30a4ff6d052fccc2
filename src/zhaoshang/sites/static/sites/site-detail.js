// One site's point or polygon on a small map (WGS84 data; a GCJ-02 basemap is only drawn with its own offset).
(function () {
  const box = document.getElementById("site-detail-map");
  const source = document.getElementById("site-geometry");
  if (!box || !source || typeof L === "undefined") return;
  const geometry = JSON.parse(source.textContent);
  const map = L.map(box, { zoomSnap: 0.5, maxZoom: 18 });
  window.zhaoshangBasemap(map, box);
  if (!geometry) return;
  const layer = L.geoJSON(geometry, {
    style: { color: "#0b4f9c", weight: 2, fillOpacity: 0.2 },
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 8, color: "#0b4f9c", fillOpacity: 0.8 }),
  }).addTo(map);
  if (geometry.type === "Point") map.setView([geometry.coordinates[1], geometry.coordinates[0]], 15);
  else map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 17 });
  L.control.scale({ imperial: false }).addTo(map);
  box.dataset.ready = "true";
})();

// 要素保障地图: the sites as clustered markers coloured by availability, toggled by kind and status,
// with park boundaries and a card per site. Points arrive from the JSON endpoint already in the tiles'
// coordinate system (the server shifts them to GCJ-02 when the basemap is GCJ-02), so nothing converts here.
(function () {
  const box = document.getElementById("site-map");
  if (!box || typeof L === "undefined") return;
  const labels = JSON.parse(document.getElementById("site-map-labels").textContent);
  const form = document.getElementById("site-filter");
  const colours = { available: "#2e7d32", reserved: "#f9a825", occupied: "#6d4c41", unavailable: "#9e9e9e" };
  const kinds = ["parcel", "building", "courtyard"];
  const statuses = Object.keys(colours);
  const shown = { kind: new Set(kinds), status: new Set(statuses) };
  const map = L.map(box, { zoomSnap: 0.5, preferCanvas: true, maxZoom: 18 }).setView([36.82, 118.31], 11);
  const overlays = {};
  if (box.dataset.tiles) {
    L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution, maxZoom: 18 }).addTo(map);
  }
  const cluster = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 50 }).addTo(map);
  const boundaries = L.geoJSON(null, {
    style: (f) => ({ color: f.properties.chemical ? "#c62828" : "#0b4f9c", weight: 2, fillOpacity: 0.05 }),
    onEachFeature: (f, layer) => layer.bindTooltip(f.properties.name),
  }).addTo(map);
  overlays[labels.boundaries] = boundaries;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  let features = [];
  let fitted = false;

  function text(value) {
    const span = document.createElement("span");
    span.textContent = value == null ? "—" : String(value);
    return span.innerHTML;
  }
  function area(p) {
    if (p.kind === "parcel") return `${p.area_mu} 亩`;
    if (p.kind === "building") return `${p.floor_area_m2} m²`;
    return `${p.land_area_m2} m²` + (p.floor_area_m2 ? ` / ${p.floor_area_m2} m²` : "");
  }
  function card(p) {
    const unit = p.kind === "parcel" ? "万元/亩" : "元/m²/月";
    return `<div class="site-card"><div class="fw-semibold mb-1">${text(p.name)}</div>
      <div class="mb-1"><span class="badge site-${p.status}">${text(labels[p.status])}</span>
      <span class="badge text-bg-light">${text(labels[p.kind])}</span>
      ${p.stale ? `<span class="badge text-bg-danger">${text(labels.stale)}</span>` : ""}</div>
      <dl class="row g-0">
        <dt class="col-5">${text(labels.area)}</dt><dd class="col-7">${text(area(p))}</dd>
        <dt class="col-5">${text(labels.park)}</dt><dd class="col-7">${text(p.park || "—")}</dd>
        <dt class="col-5">${text(labels.town)}</dt><dd class="col-7">${text(p.town || "—")}</dd>
        <dt class="col-5">${text(labels.price)}</dt><dd class="col-7">${p.price == null ? "—" : text(p.price + " " + unit)}</dd>
        <dt class="col-5">${text(labels.power)}</dt><dd class="col-7">${p.power_kva == null ? "—" : text(p.power_kva + " kVA")}</dd>
        <dt class="col-5">${text(labels.verified)}</dt><dd class="col-7">${text(p.verified_on || "—")}</dd>
      </dl><a class="btn btn-sm btn-primary mt-1 text-white" href="${p.url}">${text(labels.open)}</a>
      <span class="small text-body-secondary ms-1">${text(p.code)}</span></div>`;
  }
  function draw() {
    cluster.clearLayers();
    const markers = [];
    features.forEach((f) => {
      const p = f.properties;
      if (!shown.kind.has(p.kind) || !shown.status.has(p.status)) return;
      const [lng, lat] = f.geometry.coordinates;
      const radius = p.kind === "courtyard" ? 4 : p.kind === "building" ? 6 : 7;
      const marker = L.circleMarker([lat, lng], {
        radius, color: p.stale ? "#c62828" : "#fff", weight: p.stale ? 2 : 1,
        fillColor: colours[p.status] || "#999", fillOpacity: 0.9,
      });
      marker.bindPopup(() => card(p), { minWidth: 220 });
      markers.push(marker);
    });
    cluster.addLayers(markers);
    document.getElementById("site-map-count").textContent = labels.shown.replace("%(n)s", markers.length);
    if (!fitted && markers.length) {
      map.fitBounds(L.latLngBounds(markers.map((m) => m.getLatLng())), { padding: [20, 20] });
      fitted = true;
    }
    box.dataset.ready = "true";
    box.dataset.markers = String(markers.length);
  }
  function load(withBoundaries) {
    const params = new URLSearchParams(form ? new FormData(form) : undefined);
    for (const [key, value] of [...params.entries()]) if (value === "") params.delete(key);
    if (withBoundaries) params.set("boundaries", "1");
    box.dataset.ready = "false";
    fetch(`${box.dataset.url}?${params}`, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        features = data.features || [];
        if (data.boundaries) boundaries.addData(data.boundaries);
        draw();
      });
  }
  // The legend is the layer switch for kinds and statuses.
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    const div = L.DomUtil.create("div", "leaflet-bar bg-white p-2 small");
    const row = (group, key, dot) =>
      `<label class="d-block"><input type="checkbox" data-group="${group}" value="${key}" checked> ` +
      (dot ? `<span class="site-dot site-${key}"></span> ` : "") + `${text(labels[key])}</label>`;
    div.innerHTML = `<div class="fw-semibold">${text(labels.kinds)}</div>` + kinds.map((k) => row("kind", k, false)).join("") +
      `<div class="fw-semibold mt-1">${text(labels.statuses)}</div>` + statuses.map((s) => row("status", s, true)).join("");
    L.DomEvent.disableClickPropagation(div);
    div.addEventListener("change", (event) => {
      const input = event.target;
      if (input.checked) shown[input.dataset.group].add(input.value);
      else shown[input.dataset.group].delete(input.value);
      draw();
    });
    return div;
  };
  legend.addTo(map);
  if (form) form.addEventListener("change", () => load(false));
  if (form) form.addEventListener("submit", () => load(false));
  load(true);
})();

// 要素保障地图. Overview: every site as a clustered marker coloured by availability (one request for all).
// Zoomed in (zoom ≥ data-shapes-zoom, or from data-shapes-min-zoom on when at most data-shapes-max sites are
// in view) the clusters give way to the real shapes: polygons of the sites that have one, fetched for the
// visible box only from data-shapes-url, and plain markers for the others. Both carry the same properties, so
// colours, the legend's switches, the filters and the cards are the same. Coordinates arrive already in the
// tiles' system (the server shifts them to GCJ-02 when the basemap is GCJ-02), so nothing converts here.
// The view is kept in the address (#zoom/lat/lng) so that it can be bookmarked or sent to a colleague.
(function () {
  const box = document.getElementById("site-map");
  if (!box || typeof L === "undefined") return;
  const labels = JSON.parse(document.getElementById("site-map-labels").textContent);
  const form = document.getElementById("site-filter");
  const colours = { available: "#2e7d32", reserved: "#f9a825", occupied: "#6d4c41", unavailable: "#9e9e9e" };
  const kinds = ["parcel", "building", "courtyard"];
  const statuses = Object.keys(colours);
  const shown = { kind: new Set(kinds), status: new Set(statuses) };
  const shapesZoom = Number(box.dataset.shapesZoom || 15);
  const shapesMinZoom = Number(box.dataset.shapesMinZoom || 13);
  const shapesMax = Number(box.dataset.shapesMax || 2000);
  const map = L.map(box, { zoomSnap: 0.5, preferCanvas: true, maxZoom: 18 }).setView([36.82, 118.31], 11);
  const overlays = {};
  window.zhaoshangBasemap(map, box);
  // Thousands of markers are clustered in chunks; until the last chunk the group must stay on the map (taken off
  // halfway, its next chunk fails), so the switch to shapes waits for `clustering` to end.
  let clustering = false;
  const cluster = L.markerClusterGroup({
    chunkedLoading: true,
    maxClusterRadius: 50,
    chunkProgress: (done, total) => {
      if (done >= total && clustering) {
        clustering = false;
        refresh();
      }
    },
  }).addTo(map);
  const detail = L.featureGroup(); // zoomed in: polygons and unclustered markers of what is in view
  const boundaries = L.geoJSON(null, {
    style: (f) => ({ color: f.properties.chemical ? "#c62828" : "#0b4f9c", weight: 2, fillOpacity: 0.05 }),
    onEachFeature: (f, layer) => layer.bindTooltip(() => el("span", "", f.properties.name)),
  }).addTo(map);
  overlays[labels.boundaries] = boundaries;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  let features = []; // every site of the filters, as points
  let shapes = null; // the last polygons: { key, bounds, features }
  let fitted = false;
  let request = 0; // the newest polygon request; older answers are dropped
  let timer = null;

  const view = /^#(\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(window.location.hash);
  if (view) {
    map.setView([Number(view[2]), Number(view[3])], Number(view[1]));
    fitted = true;
  }

  // Names, codes and figures are data: cards and tooltips are built as DOM nodes with textContent, never as HTML.
  function el(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content != null) node.textContent = String(content);
    return node;
  }
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
    const div = el("div", "site-card");
    div.append(el("div", "fw-semibold mb-1", p.name == null ? "—" : p.name));
    const badges = el("div", "mb-1");
    badges.append(el("span", `badge site-${String(p.status).replace(/[^a-z_]/g, "")}`, labels[p.status]), " ");
    badges.append(el("span", "badge text-bg-light", labels[p.kind]));
    if (p.stale) badges.append(" ", el("span", "badge text-bg-danger", labels.stale));
    div.append(badges);
    const rows = [[labels.area, area(p)]];
    if (p.available_area_m2 != null) rows.push([labels.available_area, p.available_area_m2]);
    rows.push(
      [labels.park, p.park || "—"],
      [labels.town, p.town || "—"],
      [labels.price, p.price == null ? "—" : `${p.price} ${unit}`],
      [labels.power, p.power_kva == null ? "—" : `${p.power_kva} kVA`],
      [labels.verified, p.verified_on || "—"],
    );
    const list = el("dl", "row g-0");
    for (const [term, value] of rows) list.append(el("dt", "col-5", term), el("dd", "col-7", value));
    div.append(list);
    const open = el("a", "btn btn-sm btn-primary mt-1 text-white", labels.open);
    if (typeof p.url === "string" && p.url.startsWith("/")) open.href = p.url;
    div.append(open, " ", el("span", "small text-body-secondary ms-1", p.code));
    return div;
  }
  const visible = (p) => shown.kind.has(p.kind) && shown.status.has(p.status);
  function marker(f) {
    const p = f.properties;
    const [lng, lat] = f.geometry.coordinates;
    const radius = p.kind === "courtyard" ? 4 : p.kind === "building" ? 6 : 7;
    const m = L.circleMarker([lat, lng], {
      radius, color: p.stale ? "#c62828" : "#fff", weight: p.stale ? 2 : 1,
      fillColor: colours[p.status] || "#999", fillOpacity: 0.9,
    });
    return m.bindPopup(() => card(p), { minWidth: 220 });
  }
  function outline(p) {
    const fill = colours[p.status] || "#999";
    return { color: p.stale ? "#c62828" : fill, weight: p.stale ? 3 : 1.5, fillColor: fill, fillOpacity: 0.45 };
  }
  function filterParams() {
    const params = new URLSearchParams(form ? new FormData(form) : undefined);
    for (const [key, value] of [...params.entries()]) if (value === "") params.delete(key);
    return params;
  }
  function setCount(n, note) {
    document.getElementById("site-map-count").textContent =
      labels.shown.replace("%(n)s", n) + (note ? ` · ${note}` : "");
  }

  // The overview: all sites of the filters, clustered. Rebuilt when the data or the legend change.
  function draw() {
    cluster.clearLayers();
    const markers = features.filter((f) => visible(f.properties)).map(marker);
    clustering = map.hasLayer(cluster); // off the map, the group only stores them: no chunks
    cluster.addLayers(markers);
    setCount(markers.length);
    if (!fitted && markers.length) {
      map.fitBounds(L.latLngBounds(markers.map((m) => m.getLatLng())), { padding: [20, 20] });
      fitted = true;
    }
    box.dataset.ready = "true";
    box.dataset.markers = String(markers.length);
    shapes = null;
    refresh();
  }

  // Which way to draw the current view: shapes when zoomed in, or when few sites are in view.
  function wantShapes() {
    const zoom = map.getZoom();
    if (zoom >= shapesZoom) return true;
    if (zoom < shapesMinZoom) return false;
    const bounds = map.getBounds();
    let n = 0;
    for (const f of features) {
      const [lng, lat] = f.geometry.coordinates;
      if (visible(f.properties) && bounds.contains([lat, lng]) && ++n > shapesMax) return false;
    }
    return true;
  }
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  }
  function update() {
    if (clustering) return; // refreshed again when the last chunk is in
    if (!box.dataset.shapesUrl || !wantShapes()) return showPoints();
    const params = filterParams();
    const key = params.toString();
    if (shapes && shapes.key === key && shapes.bounds.contains(map.getBounds())) {
      // Still inside what was fetched: nothing to redraw (an open card survives a pan).
      if (!shapes.drawn || box.dataset.mode !== "shapes") showShapes();
      return;
    }
    const bounds = map.getBounds().pad(0.25); // a margin, so that small pans need no new request
    params.set("bbox", [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map((v) => v.toFixed(6)).join(","));
    const mine = ++request;
    box.dataset.shapesReady = "false";
    fetch(`${box.dataset.shapesUrl}?${params}`, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        if (mine !== request || clustering) return;
        if (!data.features || data.truncated) {
          shapes = null;
          return showPoints(labels.too_many);
        }
        shapes = { key, bounds, features: data.features, drawn: false };
        showShapes();
      });
  }
  function showPoints(note) {
    request++;
    detail.clearLayers();
    map.removeLayer(detail);
    if (!map.hasLayer(cluster)) {
      clustering = true; // back on the map, the group clusters what it stored, in chunks
      map.addLayer(cluster);
    }
    setCount(box.dataset.markers || 0, note);
    box.dataset.mode = "points";
    box.dataset.shapes = "0";
    box.dataset.shapesReady = "true";
  }
  function showShapes() {
    detail.clearLayers();
    const drawn = new Set();
    const polygons = L.geoJSON(null, {
      style: (f) => outline(f.properties),
      onEachFeature: (f, layer) => layer.bindPopup(() => card(f.properties), { minWidth: 220 }),
    });
    for (const f of shapes.features) {
      if (!visible(f.properties)) continue;
      polygons.addData(f);
      drawn.add(f.properties.id);
    }
    polygons.addTo(detail);
    const bounds = shapes.bounds; // the fetched box: panning inside it needs no redraw
    for (const f of features) {
      const [lng, lat] = f.geometry.coordinates;
      if (visible(f.properties) && !drawn.has(f.properties.id) && bounds.contains([lat, lng])) {
        marker(f).addTo(detail);
      }
    }
    if (map.hasLayer(cluster)) map.removeLayer(cluster);
    if (!map.hasLayer(detail)) map.addLayer(detail);
    setCount(box.dataset.markers || 0);
    shapes.drawn = true;
    box.dataset.mode = "shapes";
    box.dataset.shapes = String(drawn.size);
    box.dataset.shapesReady = "true";
  }

  function load(withBoundaries) {
    const params = filterParams();
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
      const cached = shapes;
      draw();
      // The legend only hides: the polygons already fetched still serve, drawn again.
      if (cached) shapes = { ...cached, drawn: false };
    });
    return div;
  };
  legend.addTo(map);
  map.on("moveend", () => {
    const c = map.getCenter();
    history.replaceState(history.state, "", `#${map.getZoom()}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`);
    refresh();
  });
  if (form) form.addEventListener("change", () => load(false));
  if (form) form.addEventListener("submit", () => load(false));
  load(true);
})();

// What every map draws under its data: the configured basemap (天地图 with its label layer, or an intranet tile
// server), or, with none, the county boundaries the project ships and a note saying why there are no roads.
// The configuration comes from the page (json_script "map-config"); names are drawn as text, never markup.
(function () {
  const config = () => {
    const node = document.getElementById("map-config");
    return node ? JSON.parse(node.textContent) : {};
  };
  const text = (value) => {
    const span = document.createElement("span");
    span.textContent = value;
    return span;
  };

  window.zhaoshangBasemap = function (map, box) {
    const c = config();
    const url = c.url || (box && box.dataset.tiles) || "";
    if (url) {
      const options = { attribution: c.attribution || (box && box.dataset.attribution) || "", maxZoom: 18 };
      if (c.subdomains) options.subdomains = c.subdomains;
      L.tileLayer(url, options).addTo(map);
      if (c.labels) L.tileLayer(c.labels, { subdomains: options.subdomains, maxZoom: 18 }).addTo(map);
      return;
    }
    if (c.note) {
      const note = L.control({ position: "bottomleft" });
      note.onAdd = () => {
        const div = L.DomUtil.create("div", "map-note");
        div.textContent = c.note;
        return div;
      };
      note.addTo(map);
    }
    if (!c.boundaries) return;
    fetch(c.boundaries, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data || !data.features || !data.features.length) return;
        const layer = L.geoJSON(data, {
          interactive: true,
          style: { color: "#6c757d", weight: 1.2, dashArray: "4 3", fillColor: "#adb5bd", fillOpacity: 0.06 },
          onEachFeature: (feature, shape) => {
            shape.bindTooltip(text(feature.properties.name), { sticky: true, direction: "top" });
          },
        }).addTo(map);
        layer.bringToBack();
      })
      .catch(() => {});
  };
})();

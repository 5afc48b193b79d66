// Vantage UI: the places map (Leaflet, vendored in static/leaflet/). The
// data comes in the #map element's data-map attribute (the CSP allows no
// inline script): the tile layer when the controller configures one
// (ui.tiles), else none, so the map draws on a plain background and the
// page fetches nothing from any other host; grid cells as rectangles
// linking to their comparison, sites as dots. Every label is text, put in
// with textContent, never as HTML.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) { return; }
  var d = JSON.parse(el.getAttribute("data-map"));
  var text = function (s) {
    var span = document.createElement("span");
    span.textContent = s;
    return span;
  };
  var maxZoom = d.tiles ? d.tiles.max_zoom : 18;
  var map = L.map(el, { maxZoom: maxZoom, zoomSnap: 0.5 });
  // The library's name as text: no link off a network that may have none.
  map.attributionControl.setPrefix("Leaflet");
  if (d.tiles) {
    // Leaflet puts the attribution in as HTML: hand it escaped.
    L.tileLayer(d.tiles.url, { maxZoom: maxZoom, attribution: text(d.tiles.attribution || "").innerHTML }).addTo(map);
  }
  el.classList.add(d.tiles ? "tiled" : "plain");
  var bounds = L.latLngBounds([]);
  d.cells.forEach(function (c) {
    var r = L.rectangle(c.bounds, { className: c.weak ? "cell weak" : "cell" }).addTo(map);
    // Below the cell's centre, so it never covers a site's dot there.
    r.bindTooltip(text(c.label), { permanent: true, direction: "bottom", offset: [0, 12], className: "cell-label" });
    r.on("click", function () { location.href = "/ui/compare?cell=" + encodeURIComponent(c.cell); });
    bounds.extend(c.bounds);
  });
  d.sites.forEach(function (s) {
    var m = L.circleMarker([s.lat, s.lon], { radius: 7, className: "site site-" + s.status }).addTo(map);
    m.bindTooltip(text(s.label), { permanent: true, direction: "right", offset: [8, 0], className: "site-label" });
    bounds.extend([s.lat, s.lon]);
  });
  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.3), { maxZoom: Math.min(maxZoom, 17) });
  } else {
    map.setView([0, 0], 1);
  }
})();

// The map page: Leaflet draws the outlines that sit beside it in a json_script block
// (data, not code: the CSP allows no inline script). Colours and words come from the
// server; area names reach the page as text nodes only, never as HTML.
(function () {
  "use strict";

  function paintSwatches(root) {
    root.querySelectorAll("[data-colour]").forEach(function (element) {
      element.style.backgroundColor = element.dataset.colour;
    });
  }

  function tooltipFor(properties) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = properties.name;
    box.appendChild(name);
    var figure = document.createElement("div");
    figure.textContent = properties.text;
    box.appendChild(figure);
    return box;
  }

  function labelFor(properties) {
    var label = document.createElement("span");
    label.textContent = properties.name;
    return label;
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.source);
    if (!source || typeof window.L === "undefined") return;
    var data = JSON.parse(source.textContent);
    var L = window.L;
    var map = L.map(element, {
      zoomSnap: 0.25,
      attributionControl: Boolean(data.tiles && data.tiles.attribution)
    });
    if (data.tiles) {
      L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 18 }).addTo(map);
    }
    var areas = L.geoJSON(data, {
      style: function (feature) {
        return {
          color: "#334155",
          weight: 1,
          fillColor: feature.properties.colour,
          fillOpacity: data.tiles ? 0.6 : 0.85
        };
      },
      onEachFeature: function (feature, layer) {
        var properties = feature.properties;
        layer.bindTooltip(tooltipFor(properties), { sticky: true });
        if (properties.label_at) {
          // Few areas: their names stay on the map, at a point inside each.
          L.tooltip({ permanent: true, direction: "center", className: "map-label", interactive: false })
            .setLatLng(properties.label_at).setContent(labelFor(properties)).addTo(map);
        }
        layer.on("mouseover", function () { layer.setStyle({ weight: 3 }); });
        layer.on("mouseout", function () { areas.resetStyle(layer); });
        if (properties.url) {
          layer.on("click", function () { window.location.href = properties.url; });
        }
      }
    }).addTo(map);
    var bounds = areas.getBounds();
    if (data.area.outline) {
      var outline = L.geoJSON(data.area.outline, {
        style: { color: "#0f172a", weight: 3, fill: false },
        interactive: false
      }).addTo(map);
      bounds.extend(outline.getBounds());
    }
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [8, 8] });
    } else {
      map.setView([36.0, 103.8], 10);
    }
  }

  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    paintSwatches(document);
    autosubmit();
    var element = document.getElementById("map");
    if (element) draw(element);
  });
})();

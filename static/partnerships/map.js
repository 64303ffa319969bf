/* The registry's maps, drawn in the browser from vendored Natural Earth country shapes
   (static/vendor/world-atlas-2.0.2) with d3-geo and topojson-client: no tile server, no
   CDN, no build step. Each element with data-map="ID" names a json_script element ID
   holding [{id, name, url, status, a: {name, lon, lat}, b: {name, lon, lat}}].
   data-fit="world" shows the whole world; data-fit="points" zooms to the partnerships.
   data-kind="flows": the element holds [{a, b, na, nb, name, count, by_status, status, url}]
   instead, partnerships counted per pair of countries, drawn between the countries'
   centroids (na, nb: ISO numeric, as the atlas names its shapes), wider for more.
   Lines are great-circle arcs (d3-geo), cut where they cross the antimeridian, so a
   Pacific partnership (Fiji–Samoa, Alaska–Kamchatka) is drawn across the Pacific, not
   around the world. Pages list the same partnerships as text, so nothing depends on this
   script. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var STATUSES = ["proposed", "active", "suspended", "terminated"];
  var worlds = {};

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (parent) parent.appendChild(node);
    return node;
  }

  function titled(node, text) {
    el("title", {}, node).textContent = text;
    return node;
  }

  function statusOf(p) {
    return STATUSES.indexOf(p.status) >= 0 ? p.status : "unknown";
  }

  function placed(place) {
    return place && place.lon !== null && place.lat !== null;
  }

  function loadWorld(url) {
    if (!worlds[url]) {
      worlds[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("country shapes: HTTP " + response.status);
        return response.json();
      });
    }
    return worlds[url];
  }

  function fit(projection, width, height, lines, zoom) {
    projection.fitExtent([[4, 4], [width - 4, height - 4]], { type: "Sphere" });
    if (!zoom || !lines.length) return;
    var worldScale = projection.scale();
    var collection = { type: "FeatureCollection", features: lines };
    // Room at the sides for the places' names.
    projection.fitExtent([[150, 50], [width - 150, height - 50]], collection);
    // Two nearby places would zoom in past what 1:110m shapes can show.
    var maximum = worldScale * 6;
    if (!(projection.scale() <= maximum)) {
      projection.scale(maximum).translate([width / 2, height / 2]);
      var centre = projection(d3.geoCentroid(collection));
      var t = projection.translate();
      projection.translate([t[0] + width / 2 - centre[0], t[1] + height / 2 - centre[1]]);
    }
  }

  function drawFlows(container, world, flows) {
    var label = container.getAttribute("data-label") || "Map";
    var width = 960;
    var height = 480;
    var projection = d3.geoNaturalEarth1();
    projection.fitExtent([[4, 4], [width - 4, height - 4]], { type: "Sphere" });
    var path = d3.geoPath(projection);
    var shapes = topojson.feature(world, world.objects.countries).features;
    var centres = {};
    shapes.forEach(function (feature) {
      centres[String(Number(feature.id))] = d3.geoCentroid(feature);
    });

    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, role: "group", "aria-label": label,
      preserveAspectRatio: "xMidYMid meet" });
    titled(svg, label);
    el("path", { class: "sphere", d: path({ type: "Sphere" }) }, svg);
    var countries = el("g", { class: "countries", "aria-hidden": "true" }, svg);
    shapes.forEach(function (feature) {
      var d = path(feature);
      if (d) titled(el("path", { class: "country", d: d }, countries), feature.properties.name);
    });
    var links = el("g", { class: "links flows" }, svg);
    var drawn = 0;
    // Small flows first, so the big ones are drawn on top.
    flows.slice().reverse().forEach(function (flow) {
      var a = centres[flow.na];
      var b = centres[flow.nb];
      if (!a || !b) return;
      var status = statusOf(flow);
      var text = flow.name + ": " + flow.count + " partnership" + (flow.count === 1 ? "" : "s") + " (" +
        Object.keys(flow.by_status).map(function (key) {
          return (key === "unknown" ? "no status" : key) + " " + flow.by_status[key];
        }).join(", ") + ")";
      var parent = el("a", { href: flow.url, class: "partnership" }, links);
      titled(parent, text);
      var width = Math.min(8, 0.75 + Math.log(flow.count) / Math.LN2 / 2);
      if (flow.a === flow.b) {
        var xy = projection(a);
        if (xy) el("circle", { class: "place fill-" + status, cx: xy[0], cy: xy[1], r: 1.5 + width }, parent);
      } else {
        var line = el("path", { class: "link stroke-" + status, "data-status": status,
          d: path({ type: "LineString", coordinates: [a, b] }) }, parent);
        line.style.strokeWidth = width.toFixed(2);  // CSSOM: allowed by the page's CSP
      }
      drawn += 1;
    });
    container.replaceChildren(svg);
    container.setAttribute("data-drawn", String(drawn));
  }

  function draw(container, world) {
    var source = document.getElementById(container.getAttribute("data-map"));
    var partnerships = JSON.parse(source.textContent);
    if (container.getAttribute("data-kind") === "flows") return drawFlows(container, world, partnerships);
    var zoom = container.getAttribute("data-fit") === "points";
    var withLinks = container.getAttribute("data-links") !== "no";
    var label = container.getAttribute("data-label") || "Map";
    var width = 960;
    var height = zoom ? 540 : 480;

    var located = partnerships.filter(function (p) {
      return placed(p.a) && placed(p.b);
    });
    var lines = located.map(function (p) {
      return {
        type: "Feature",
        properties: p,
        geometry: { type: "LineString", coordinates: [[p.a.lon, p.a.lat], [p.b.lon, p.b.lat]] },
      };
    });

    // The world map is a flat Natural Earth projection. A zoomed map looks at the globe
    // from above the middle of its lines, so a long line (Seattle–Tashkent crosses the
    // Arctic) is a smooth arc between two visible places, not a jump at the map's edge.
    var projection = d3.geoNaturalEarth1();
    if (zoom && lines.length) {
      var centre = d3.geoCentroid({ type: "FeatureCollection", features: lines });
      projection = d3.geoOrthographic().rotate([-centre[0], -centre[1]]);
    }
    fit(projection, width, height, lines, zoom);
    var path = d3.geoPath(projection);

    var svg = el("svg", {
      viewBox: "0 0 " + width + " " + height,
      role: withLinks ? "group" : "img",
      "aria-label": label,
      preserveAspectRatio: "xMidYMid meet",
    });
    titled(svg, label);
    el("path", { class: "sphere", d: path({ type: "Sphere" }) }, svg);

    var countries = el("g", { class: "countries", "aria-hidden": "true" }, svg);
    topojson.feature(world, world.objects.countries).features.forEach(function (feature) {
      var d = path(feature);
      if (d) titled(el("path", { class: "country", d: d }, countries), feature.properties.name);
    });

    var links = el("g", { class: "links" }, svg);
    lines.forEach(function (line) {
      var p = line.properties;
      var status = statusOf(p);
      var parent = links;
      if (withLinks && p.url) {
        parent = el("a", { href: p.url, class: "partnership" }, links);
        titled(parent, p.name + ": " + (status === "unknown" ? "no status recorded" : status));
      }
      el("path", { class: "link stroke-" + status, d: path(line), "data-status": status }, parent);
    });

    var places = el("g", { class: "places", "aria-hidden": "true" }, svg);
    var seen = {};
    located.forEach(function (p) {
      [p.a, p.b].forEach(function (place) {
        var key = place.lon + "," + place.lat;
        if (seen[key]) return;
        seen[key] = true;
        var xy = projection([place.lon, place.lat]);
        if (!xy) return;
        titled(
          el("circle", { class: "place fill-" + statusOf(p), cx: xy[0], cy: xy[1], r: zoom ? 8 : 3 }, places),
          place.name
        );
        if (zoom) {
          el("text", { class: "place-label", x: xy[0] + 12, y: xy[1] + 7 }, places).textContent = place.name;
        }
      });
    });

    container.replaceChildren(svg);
    container.setAttribute("data-drawn", String(lines.length));
  }

  function fail(container, error) {
    var message = document.createElement("p");
    message.className = "muted";
    message.textContent = "The map could not be drawn (" + error.message + "); the same information is in the text on this page.";
    container.replaceChildren(message);
    container.setAttribute("data-drawn", "failed");
  }

  document.querySelectorAll("[data-map]").forEach(function (container) {
    loadWorld(container.getAttribute("data-world"))
      .then(function (world) {
        draw(container, world);
      })
      .catch(function (error) {
        fail(container, error);
      });
  });
})();

/* health-claims-kg view: draws the embedded graph data with vis-network.
 * Everything shown comes from document text, so it is treated as text: tooltips and the
 * detail panel are built with textContent, labels are drawn on the canvas. */
(function () {
  "use strict";
  var body = document.body;
  var timings = { script: Math.round(performance.now()) };
  window.addEventListener("error", function (ev) {
    body.dataset.error = String(ev.message || ev);
  });
  var data = JSON.parse(document.getElementById("kg-view-data").textContent);
  var FADED = { background: "#eceff1", border: "#eceff1" };
  var FADED_FONT = { color: "rgba(38,50,56,0.15)" };

  function tipElement(tip) {
    var box = document.createElement("div");
    box.className = "kg-tip";
    var h = document.createElement("strong");
    h.textContent = tip.h;
    box.appendChild(h);
    var dl = document.createElement("dl");
    tip.rows.forEach(function (row) {
      if (row[0] === "IRI") return;
      var dt = document.createElement("dt");
      dt.textContent = row[0];
      var dd = document.createElement("dd");
      dd.textContent = row[1].length > 600 ? row[1].slice(0, 599) + "…" : row[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    box.appendChild(dl);
    return box;
  }

  var looks = {};
  var nodeList = data.nodes.map(function (n) {
    var look = {
      color: {
        background: n.colour,
        border: n.flagged ? "#000000" : n.colour,
        highlight: { background: n.colour, border: "#263238" },
        hover: { background: n.colour, border: "#263238" }
      },
      font: n.shape === "box" ? { color: "#ffffff" } : { color: "#263238" }
    };
    looks[n.id] = look;
    var node = {
      id: n.id,
      label: n.label,
      shape: n.shape,
      size: n.size,
      borderWidth: n.flagged ? 3 : 1,
      color: look.color,
      font: look.font,
      title: tipElement(n.tip)
    };
    if (n.x !== undefined) {
      node.x = n.x;
      node.y = n.y;
    }
    return node;
  });
  var edgeList = data.edges.map(function (e, i) {
    var edge = { id: "e" + i, from: e.source, to: e.target, label: e.label, title: e.label };
    if (e.count !== null && e.count !== undefined) edge.value = e.count;
    return edge;
  });
  var nodes = new vis.DataSet(nodeList);
  var edges = new vis.DataSet(edgeList);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  timings.network = Math.round(performance.now());
  var meta = { nodes: nodes.length, edges: edges.length, renderMs: null, timings: timings };
  window.kgView = { network: network, nodes: nodes, edges: edges, meta: meta, data: data };
  body.dataset.nodes = String(nodes.length);
  body.dataset.edges = String(edges.length);

  var stabilized = !data.options.physics.enabled;
  function markRendered() {
    if (meta.renderMs !== null) return;
    meta.renderMs = Math.round(performance.now());
    body.dataset.renderMs = String(meta.renderMs);
    body.dataset.state = "ready";
  }
  network.once("stabilizationIterationsDone", function () {
    timings.stabilized = Math.round(performance.now());
    stabilized = true;
    network.setOptions({ physics: { enabled: false } });
    network.fit();
  });
  network.on("afterDrawing", function () {
    if (stabilized) markRendered();
  });
  if (stabilized) network.redraw();

  // -- neighbourhood highlight and detail panel ---------------------------------------------
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var details = document.getElementById("details");
  var detailsHeading = document.getElementById("details-heading");
  var detailsRows = document.getElementById("details-rows");

  function showDetails(id) {
    var n = byId[id];
    detailsHeading.textContent = n.tip.h;
    detailsRows.textContent = "";
    n.tip.rows.concat([["Linked nodes", String(network.getConnectedNodes(id).length)]]).forEach(function (row) {
      var dt = document.createElement("dt");
      dt.textContent = row[0];
      var dd = document.createElement("dd");
      dd.textContent = row[1];
      detailsRows.appendChild(dt);
      detailsRows.appendChild(dd);
    });
    details.hidden = false;
  }

  function highlight(ids) {
    var keep = {};
    ids.forEach(function (id) {
      keep[id] = true;
      network.getConnectedNodes(id).forEach(function (m) { keep[m] = true; });
    });
    nodes.update(nodeList.map(function (n) {
      var on = keep[n.id] === true;
      return { id: n.id, color: on ? looks[n.id].color : FADED, font: on ? looks[n.id].font : FADED_FONT };
    }));
    edges.update(edgeList.map(function (e) {
      var on = ids.indexOf(e.from) >= 0 || ids.indexOf(e.to) >= 0;
      return { id: e.id, hidden: false, color: { opacity: on ? 1.0 : 0.08 }, font: { color: on ? "#455a64" : "rgba(0,0,0,0)" } };
    }));
    body.dataset.highlighted = String(Object.keys(keep).length);
  }

  function reset() {
    nodes.update(nodeList.map(function (n) { return { id: n.id, color: looks[n.id].color, font: looks[n.id].font }; }));
    edges.update(edgeList.map(function (e) { return { id: e.id, color: { opacity: 1.0 }, font: { color: "#455a64" } }; }));
    details.hidden = true;
    delete body.dataset.highlighted;
  }

  network.on("click", function (params) {
    if (params.nodes.length) {
      highlight(params.nodes);
      showDetails(params.nodes[0]);
    } else {
      reset();
    }
  });
  window.kgView.highlight = highlight;
  window.kgView.reset = reset;

  // -- search --------------------------------------------------------------------------------
  var search = document.getElementById("search");
  search.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") return;
    var q = search.value.trim().toLowerCase();
    if (!q) { reset(); return; }
    var hits = data.nodes.filter(function (n) {
      return n.label.toLowerCase().indexOf(q) >= 0 || n.tip.h.toLowerCase().indexOf(q) >= 0;
    }).map(function (n) { return n.id; });
    if (!hits.length) { search.setCustomValidity("no match"); search.reportValidity(); return; }
    search.setCustomValidity("");
    network.selectNodes(hits.slice(0, 50));
    highlight(hits.slice(0, 50));
    showDetails(hits[0]);
    network.focus(hits[0], { scale: 1.2, animation: false });
  });
})();

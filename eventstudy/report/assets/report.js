// eventstudy report: the one script of every page (the pages hold no inline code; see their Content-Security-Policy).
// It draws the charts from their JSON data blocks with the page's copy of plotly.js, switches the heatmap's window,
// draws the AR/CAR path of the security picked and the GARCH ARs of the day 0 picked, and makes tables sortable
// (click or keyboard; numbers as numbers, blanks last in both directions), filterable and downloadable as CSV.
"use strict";
(function () {
  var MINUS = "\u2212";
  var NARROW = window.matchMedia("(max-width: 700px)");

  function readJSON(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function signed(value, digits) {
    if (value === null || value === undefined || !isFinite(value)) { return "n/a"; }
    var text = (value >= 0 ? "+" : "-") + Math.abs(value).toFixed(digits);
    if (!/[1-9]/.test(text)) { return text.slice(1); }
    return text.replace("-", MINUS);
  }

  function formatP(value) {
    if (value === null || value === undefined || !isFinite(value)) { return "n/a"; }
    return value < 0.001 ? "<0.001" : value.toFixed(3);
  }

  // -- charts ---------------------------------------------------------------------------------------------------------

  // What every chart shares: fonts, colours, the style of every axis (the figures' JSON leaves it out).
  var AXIS = { gridcolor: "#e5e7eb", zerolinecolor: "#6b7280", linecolor: "#9ca3af", automargin: true };
  var TEMPLATE = {
    layout: {
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans SC', sans-serif", size: 12 },
      paper_bgcolor: "#ffffff", plot_bgcolor: "#ffffff", hoverlabel: { align: "left" }, xaxis: AXIS, yaxis: AXIS
    }
  };

  var CONFIG = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["lasso2d", "select2d", "autoScale2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };

  function config() {
    return NARROW.matches ? Object.assign({}, CONFIG, { displayModeBar: false }) : CONFIG;
  }

  // On a narrow screen: thinner margins, the legend under the chart, fewer ticks, no number labels that would
  // collide, and no tool bar over the chart.
  function adapt(figure) {
    var layout = Object.assign({}, figure.layout);
    var own = figure.layout.template || {};
    layout.template = { layout: Object.assign({}, TEMPLATE.layout, own.layout), data: own.data };
    if (!NARROW.matches) { return { data: figure.data, layout: layout }; }
    layout.margin = Object.assign({}, layout.margin, { l: Math.min((layout.margin || {}).l || 50, 50), r: 10 });
    if (layout.xaxis && layout.xaxis.dtick === 1) { layout.xaxis = Object.assign({}, layout.xaxis, { dtick: 5 }); }
    // Row names of a dot plot (a date and a title) cut to what leaves the plot half the width: the date and the
    // title's first words; the full name is one tap away (a row opens its page).
    if (layout.yaxis && Array.isArray(layout.yaxis.ticktext)) {
      layout.yaxis = Object.assign({}, layout.yaxis, { ticktext: layout.yaxis.ticktext.map(shortLabel) });
    }
    // Below the x-axis title when there is one (about 80 px under the plot, whatever the chart's height).
    var margin = layout.margin || {};
    var plot = (layout.height || 450) - (margin.t || 0) - (margin.b || 0);
    var titled = layout.xaxis && layout.xaxis.title && layout.xaxis.title.text;
    var below = titled ? Math.max(0.12, 80 / Math.max(plot, 80)) : 0.12;
    layout.legend = Object.assign({}, layout.legend, { orientation: "h", x: 0, y: -below, yanchor: "top" });
    var data = figure.data.map(function (trace) {
      return trace.meta === "labels" ? Object.assign({}, trace, { mode: "markers" }) : trace;
    });
    return { data: data, layout: layout };
  }

  var SHORT_LABEL = 24;

  function shortLabel(text) {
    if (typeof text !== "string" || text.length <= SHORT_LABEL) { return text; }
    return text.slice(0, SHORT_LABEL - 1).replace(/&[^;]*$/, "").trimEnd() + "\u2026";  // never half an entity
  }

  // A click on a point opens the page it stands for: its trace's (or else the figure's) meta.links at its index,
  // or its customdata when that is an address.
  function openOnClick(div) {
    div.on("plotly_click", function (event) {
      var point = event.points[0];
      var links = (point.data.meta && point.data.meta.links) || (div.layout.meta && div.layout.meta.links);
      var data = point.customdata;
      var url = links ? links[point.pointIndex] : Array.isArray(data) ? data[0] : data;
      if (typeof url === "string" && /\.html(#.*)?$/.test(url)) { window.location.href = url; }
    });
  }

  function draw(div, figure) {
    var shown = adapt(figure);
    return Plotly.newPlot(div, shown.data, shown.layout, config()).then(function () {
      if (div.dataset.click === "open") { openOnClick(div); }
    });
  }

  function drawCharts() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("div[data-figure]").forEach(function (div) {
      var figure = readJSON(div.dataset.figure);
      if (div.dataset.paths) { arCarPaths(div, figure); }
      else if (div.dataset.choices) { chosenChart(div, figure); }
      else { draw(div, figure); }
    });
  }

  // -- AR/CAR paths of one security of an event -----------------------------------------------------------------------

  function pathTraces(security, days, dates) {
    var t95 = security.t95 === null ? NaN : security.t95;
    var half = function (values) { return values.map(function (v) { return v === null ? null : t95 * v; }); };
    var percent = function (values) { return values.map(function (v) { return v === null ? null : v / 100; }); };
    security = Object.assign({}, security, {
      ar: percent(security.ar), ar_se: percent(security.ar_se), car: percent(security.car), car_se: percent(security.car_se)
    });
    var arHalf = half(security.ar_se), carHalf = half(security.car_se);
    var when = (dates[security.exchange] || []).map(function (d) { return d === null ? "no session" : d; });
    var sign = function (v) { return v === null ? "#6b7280" : v < 0 ? "#b2182b" : "#2166ac"; };
    var upper = [], lower = [];
    security.car.forEach(function (c, i) {
      upper.push(c === null || carHalf[i] === null ? null : c + carHalf[i]);
      lower.push(c === null || carHalf[i] === null ? null : c - carHalf[i]);
    });
    return [
      {
        type: "bar", x: days, y: security.ar, marker: { color: security.ar.map(sign) },
        error_y: { type: "data", array: arHalf, thickness: 1, color: "#4b5563" },
        customdata: days.map(function (d, i) { return [when[i], arHalf[i]]; }),
        hovertemplate: "day %{x} (%{customdata[0]})<br>AR %{y:.2f}% \u00b1 %{customdata[1]:.2f} (95%)<extra></extra>",
        name: "AR"
      },
      {
        type: "scatter", x: days.concat(days.slice().reverse()), y: upper.concat(lower.slice().reverse()),
        fill: "toself", fillcolor: "rgba(107, 114, 128, 0.2)", line: { width: 0 }, hoverinfo: "skip",
        yaxis: "y2", name: "95% band"
      },
      {
        type: "scatter", mode: "lines+markers", x: days, y: security.car, yaxis: "y2", line: { color: "#1f2937" },
        marker: { color: security.car.map(sign) },
        customdata: days.map(function (d, i) { return [when[i], carHalf[i]]; }),
        hovertemplate: "day %{x} (%{customdata[0]})<br>CAR %{y:.2f}% \u00b1 %{customdata[1]:.2f}<extra></extra>",
        name: "CAR"
      }
    ];
  }

  function describePath(security, days) {
    var zero = days.indexOf(0);
    var last = security.car.length - 1;
    while (last >= 0 && security.car[last] === null) { last -= 1; }
    return "AR and CAR paths of " + security.ticker + " (" + security.name + ", " + security.model + " model): day-0 AR " +
      signed(zero >= 0 && security.ar[zero] !== null ? security.ar[zero] / 100 : null, 2) + "%" +
      (last >= 0 ? ", CAR through day " + days[last] + " " + signed(security.car[last] / 100, 2) + "%" : "") + ".";
  }

  function arCarPaths(div, figure) {
    var paths = readJSON(div.dataset.paths);
    var select = document.getElementById(div.dataset.select);
    var byTicker = {};
    paths.securities.forEach(function (security) { byTicker[security.ticker] = security; });
    function show(ticker) {
      var security = byTicker[ticker] || paths.securities[0];
      div.setAttribute("aria-label", describePath(security, paths.days));
      var shown = adapt({ data: pathTraces(security, paths.days, paths.dates), layout: figure.layout });
      return Plotly.react(div, shown.data, shown.layout, config());
    }
    if (select) {
      select.value = paths.default;
      select.addEventListener("change", function () { show(select.value); });
    }
    show(paths.default);
  }

  // -- a chart of the item picked in a list ---------------------------------------------------------------------------

  // The figure holds the layout; data-choices names a block {"default": key, "choices": {key: {"label", "data",
  // "layout"}}} of the traces (and layout additions) of each item, data-select the <select> that picks one.
  function chosenChart(div, figure) {
    var block = readJSON(div.dataset.choices);
    var select = document.getElementById(div.dataset.select);
    function show(key) {
      var chosen = block.choices[key] || block.choices[block["default"]];
      div.setAttribute("aria-label", chosen.label);
      var shown = adapt({ data: chosen.data, layout: Object.assign({}, figure.layout, chosen.layout || {}) });
      return Plotly.react(div, shown.data, shown.layout, config());
    }
    if (select) {
      select.value = block["default"];
      select.addEventListener("change", function () { show(select.value); });
    }
    show(block["default"]);
  }

  // -- heatmap --------------------------------------------------------------------------------------------------------

  function heatmap() {
    var table = document.getElementById("heatmap");
    var data = readJSON("heatmap-data");
    if (!table || !data) { return; }
    var body = table.tBodies[0];
    var where = {};
    data.cells.forEach(function (cell, index) { where[cell[0] + "," + cell[1]] = index; });
    var detail = document.getElementById("heatmap-detail");

    function colourClass(car) {
      var size = 0;
      data.bins.forEach(function (edge) { if (Math.abs(car) >= edge) { size += 1; } });
      return size === 0 ? "c0" : (car < 0 ? "n" : "p") + size;
    }
    function valueText(car) {
      var text = Math.abs(car) >= 9.95 ? car.toFixed(0) : car.toFixed(1);
      if (!/[1-9]/.test(text)) { return text.replace("-", ""); }
      return text.replace("-", MINUS);
    }
    function stars(q) { return q === null ? "" : q < 0.01 ? "**" : q < 0.05 ? "*" : ""; }
    function td(cell) { return body.rows[cell[0]].cells[cell[1] + 1]; }

    function show(window) {
      var values = data.values[window];
      data.cells.forEach(function (cell, index) {
        var element = td(cell), mark = cell[3] ? "\u2020" : "", value = values[index];
        var css, text;
        if (cell[2] === 1) { css = "ne"; text = "\u00d7"; }
        else if (value === null) { css = "gap"; text = "\u25cb"; }
        else { css = colourClass(value[0]); text = valueText(value[0]); mark = stars(value[4]) + mark; }
        element.className = css;
        element.firstChild.textContent = text;
        element.lastChild.textContent = mark;
      });
      table.dataset.window = window;
      table.querySelectorAll(".window-label").forEach(function (label) { label.textContent = window; });
    }

    function describe(element) {
      var row = element.parentNode.sectionRowIndex, column = element.cellIndex - 1;
      if (column < 0) { return null; }
      var event = data.events[row], security = data.securities[column];
      var who = security[0] + " (" + security[1] + ", " + security[2] + ") \u00d7 " + event[0] + ": ";
      var index = where[row + "," + column];
      if (index === undefined) { return who + "no pair (the event does not concern this security)."; }
      var cell = data.cells[index], window = table.dataset.window;
      var value = data.values[window][index];
      var short = cell[3] ? " \u2020 Short history: market-adjusted model on few returns." : "";
      if (cell[2] === 1) { return who + "not estimable: " + data.reasons[index] + "."; }
      if (value === null) { return who + "no CAR " + window + ": a price is missing in the window." + short; }
      return who + "CAR " + window + " " + signed(value[0], 2) + "%, t = " + signed(value[1], 2).replace("+", "") +
        ", p = " + formatP(value[2]) + ", SQ p = " + formatP(value[3]) + ", BH q = " + formatP(value[4]) +
        (stars(value[4]) ? " (" + stars(value[4]) + ")" : "") + "." + short;
    }

    function point(event) {
      var element = event.target.closest("td");
      if (!element || !body.contains(element)) { return; }
      var text = describe(element);
      if (text) {
        detail.textContent = text;
        element.title = text;
      }
    }
    body.addEventListener("mouseover", point);
    body.addEventListener("click", point);
    body.addEventListener("focusin", point);
    document.querySelectorAll('input[name="heatmap-window"]').forEach(function (input) {
      input.addEventListener("change", function () { if (input.checked) { show(input.value); } });
    });
    var checked = document.querySelector('input[name="heatmap-window"]:checked');
    if (checked && checked.value !== table.dataset.window) { show(checked.value); }  // a form restored by the browser
  }

  // -- tables ---------------------------------------------------------------------------------------------------------

  // The value a cell sorts by: its data-v if it has one, else its text (in a numeric column, the number in it);
  // "" for a blank ("–" or nothing).
  function sortValue(cell, numeric) {
    var value = cell.getAttribute("data-v");
    if (value !== null) { return value; }
    var text = cell.textContent.trim();
    if (text === "\u2013" || text === "") { return ""; }
    return numeric ? text.replace(/\u2212/g, "-").replace(/[^0-9eE.+\-]/g, "") : text;
  }

  function compare(x, y, numeric) {
    if (numeric) {
      var a = parseFloat(x), b = parseFloat(y);
      if (!isNaN(a) && !isNaN(b)) { return a - b; }
    }
    return String(x).localeCompare(String(y), undefined, { numeric: true, sensitivity: "base" });
  }

  // Whether a column sorts as numbers: marked so, or of a numeric kind (markup.KINDS).
  function isNumeric(header) {
    return header.dataset.type === "num" || /^num|^p$|^interval$/.test(header.dataset.kind || "");
  }

  // Sort the rows of `table` by column `column`; blanks go last whichever the direction.
  function sortTable(table, column, ascending) {
    var header = table.tHead.rows[0].cells[column];
    var numeric = isNumeric(header);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = sortValue(a.cells[column], numeric), y = sortValue(b.cells[column], numeric);
      if (x === "" || y === "") { return Number(x === "") - Number(y === ""); }
      var order = compare(x, y, numeric);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function sortable(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      var button = header.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", function () {
        sortTable(table, column, header.getAttribute("aria-sort") !== "ascending");
      });
    });
  }

  function filterable(input) {
    var table = document.getElementById(input.dataset.table);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var text = row.textContent.toLowerCase();
        row.hidden = !words.every(function (word) { return text.indexOf(word) >= 0; });
      });
    });
  }

  function csvField(text) {
    return /[",\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  // The rows shown, as CSV: a numeric column gives its value as sorted ("-" signs, full precision where the page
  // has it), an interval and a text column their text; a blank is an empty field.
  function tableCSV(table) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var lines = [headers.map(function (h) { return csvField(h.textContent.trim()); }).join(",")];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      if (row.hidden) { return; }
      lines.push(headers.map(function (header, column) {
        var cell = row.cells[column];
        if (isNumeric(header) && header.dataset.kind !== "interval") { return csvField(sortValue(cell, true)); }
        var text = cell.textContent.trim().replace(/\s+/g, " ").replace(/\u2212/g, "-");
        return csvField(text === "\u2013" ? "" : text);
      }).join(","));
    });
    return lines.join("\n") + "\n";
  }

  function downloadable(button) {
    button.addEventListener("click", function () {
      var link = document.createElement("a");
      link.href = "data:text/csv;charset=utf-8," + encodeURIComponent(tableCSV(document.getElementById(button.dataset.table)));
      link.download = button.dataset.file;
      document.body.appendChild(link);
      link.click();
      link.remove();
    });
  }

  function cell(tag, text, attributes) {
    var element = document.createElement(tag);
    element.textContent = text;
    Object.keys(attributes || {}).forEach(function (name) { element.setAttribute(name, attributes[name]); });
    return element;
  }

  function fixed(value, digits) {
    var text = value.toFixed(digits);
    return /[1-9]/.test(text) ? text.replace("-", MINUS) : text.replace("-", "");
  }

  function anchor(entry) {
    var link = cell("a", entry[0], { href: entry[1] });
    return link;
  }

  var STATUS = ["estimated", "estimated, no CAR", "not estimable"];
  var FALLBACK = "short history: market-adjusted model on few returns (the event page says why)";

  // One cell of a data table (see KINDS in eventstudy/report/markup.py).
  function dataCell(kind, value, lookup, header) {
    var element = document.createElement(header ? "th" : "td");
    var numeric = /^num|^p$|^interval$/.test(kind);
    if (!numeric && !header) { element.className = "t"; }
    if (value === null || value === undefined) {
      element.appendChild(cell("span", "\u2013", { class: "na" }));
      return element;
    }
    if (/^num/.test(kind)) {
      if (typeof value === "string") { element.textContent = value; element.setAttribute("data-v", ""); }
      else { element.textContent = fixed(value, Number(kind.slice(3))); element.setAttribute("data-v", String(value)); }
    } else if (kind === "p") {
      element.setAttribute("data-v", String(value));
      if (value < 0.05) { element.appendChild(cell("b", formatP(value))); } else { element.textContent = formatP(value); }
    } else if (kind === "interval") {
      element.setAttribute("data-v", String(value[0]));
      element.textContent = "[" + fixed(value[0], 2) + ", " + fixed(value[1], 2) + "]";
    } else if (kind === "lookup") {
      element.textContent = lookup[value];
    } else if (kind === "link") {
      element.appendChild(anchor(lookup[value]));
    } else if (kind === "links") {
      value.forEach(function (position, part) {
        if (part) { element.appendChild(document.createTextNode(" \u00d7 ")); }
        element.appendChild(anchor(lookup[part][position]));
      });
    } else if (kind === "status") {
      var css = value[0] === 2 ? "bad" : value[0] === 1 ? "warn" : "";
      element.appendChild(cell("span", STATUS[value[0]], value[2] ? { class: css, title: value[2] } : { class: css }));
      if (value[1]) {
        element.appendChild(document.createTextNode(" "));
        element.appendChild(cell("span", "market-adjusted\u00a0\u2020", { class: "fallback", title: FALLBACK }));
      }
      if (value[0] === 2) { element.className = "t bad-cell"; }
    } else {
      element.textContent = String(value);
    }
    return element;
  }

  // Build the body of a table from its data block (markup.data_table).
  function dataTable(table) {
    var spec = readJSON(table.dataset.rows);
    var kinds = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.dataset.kind; });
    var body = table.tBodies[0];
    var fragment = document.createDocumentFragment();
    spec.rows.forEach(function (values) {
      var row = document.createElement("tr");
      values.forEach(function (value, column) {
        row.appendChild(dataCell(kinds[column], value, spec.lookups[column], column === 0));
      });
      fragment.appendChild(row);
    });
    body.appendChild(fragment);
  }

  function tables() {
    document.querySelectorAll("table[data-rows]").forEach(dataTable);
    document.querySelectorAll("table.sortable").forEach(sortable);
    document.querySelectorAll("input.filter").forEach(filterable);
    document.querySelectorAll("button.csv").forEach(downloadable);
  }

  window.eventstudyReport = { tableCSV: tableCSV, sortTable: sortTable };

  function start() {
    tables();
    heatmap();
    drawCharts();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();

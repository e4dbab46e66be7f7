// Draws the figures a page embeds with json_script, fetches folded tables when first opened,
// and makes tables sortable.
//
// A dashboard has ten charts and ten tables: drawing them all at load kept a hospital PC's
// browser busy for more than a second. So plotly.js is loaded only when a chart is about to
// be seen, each chart is drawn when it nears the viewport (or its <details> opens), and each
// table's HTML is fetched the first time its <details> is opened. Printing draws them all.
(function () {
  // Read now: document.currentScript is only set while this script runs.
  var script = document.currentScript;
  var plotlySource = script && script.dataset.plotly;
  var localeSource = script && script.dataset.plotlyLocale;

  // The page's language (<html lang>) picks plotly.js's locale: zh-CN is registered by
  // vendor/plotly/plotly-locale-zh-cn.js. Its dictionary predates two strings of plotly.js v3
  // and knows nothing of our SVG button: those are added here, per chart (config.locales).
  var chinese = /^zh/i.test(document.documentElement.lang || "");
  var locale = chinese ? "zh-CN" : "en";
  var extra = {
    "zh-CN": {dictionary: {
      "Download plot as a PNG": "下载图表为PNG格式",
      "Download plot as an SVG": "下载图表为SVG格式"
    }}
  };
  var svgTitle = chinese ? extra["zh-CN"].dictionary["Download plot as an SVG"] : "Download plot as an SVG";
  // Start drawing a chart this far before it scrolls into view, so that it is there when seen.
  var AHEAD = "200px 0px";

  var plotlyLoading = null;

  function loadScript(source) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement("script");
      element.src = source;
      element.async = false;  // executed in the order inserted: the locale after plotly.js
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function plotly() {
    if (window.Plotly) { return Promise.resolve(window.Plotly); }
    if (!plotlySource) { return Promise.reject(new Error("charts.js: no data-plotly source")); }
    if (!plotlyLoading) {
      var loads = [loadScript(plotlySource)];
      if (chinese && localeSource) { loads.push(loadScript(localeSource)); }
      plotlyLoading = Promise.all(loads).then(function () { return window.Plotly; });
    }
    return plotlyLoading;
  }

  // Charts waiting to be drawn, one per task: drawn together, two charts that come into view
  // at once would keep the browser from answering the reader for as long as both take.
  var waiting = [];
  var drawing = false;

  function draw(element) {
    if (element.dataset.drawn) { return; }
    element.dataset.drawn = "pending";
    waiting.push(element);
    if (drawing) { return; }
    drawing = true;
    plotly().then(function drawNext(Plotly) {
      var next = waiting.shift();
      if (!next) {
        drawing = false;
        return;
      }
      if (next.dataset.drawn !== "true") { drawWith(Plotly, next); }  // unless printed since
      setTimeout(drawNext, 0, Plotly);
    }, function (error) {
      drawing = false;
      throw error;
    });
  }

  function drawWith(Plotly, element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    var filename = element.dataset.filename || element.dataset.figure.replace(/^figure-/, "");
    Plotly.newPlot(element, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      locale: locale,
      locales: extra,
      modeBarButtonsToRemove: ["sendDataToCloud", "select2d", "lasso2d"],
      // Twice the screen's resolution, for print and slides; the file named for the chart.
      toImageButtonOptions: {format: "png", filename: filename, scale: 2},
      modeBarButtonsToAdd: [{
        name: "downloadSvg",
        title: svgTitle,
        // plotly.js's "camera-retro" beside its camera: a second picture download.
        icon: Plotly.Icons["camera-retro"],
        click: function (gd) {
          Plotly.downloadImage(gd, {format: "svg", filename: filename});
        }
      }]
    });
    element.dataset.drawn = "true";
  }

  function drawWhenSeen(charts) {
    if (!("IntersectionObserver" in window)) {
      charts.forEach(draw);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        // A chart in a closed <details> intersects nothing; its "toggle" draws it instead.
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          draw(entry.target);
        }
      });
    }, {rootMargin: AHEAD});
    charts.forEach(function (chart) {
      var folded = chart.closest("details");
      if (folded) {
        folded.addEventListener("toggle", function () {
          if (folded.open) { draw(chart); }
        });
      }
      observer.observe(chart);
    });
  }

  // A folded table: its <details> links to the table's own page, whose table is fetched and
  // put in its place when the <details> is first opened. The link stays if the fetch fails.
  function tableOf(html) {
    var fragment = new DOMParser().parseFromString(html, "text/html").querySelector("[data-table-fragment]");
    if (!fragment) { throw new Error("charts.js: no [data-table-fragment] in the response"); }
    return fragment;
  }

  function placeTable(details, fragment) {
    var slot = details.querySelector("[data-table-slot]");
    slot.replaceChildren.apply(slot, Array.prototype.map.call(fragment.childNodes, function (node) {
      return document.importNode(node, true);
    }));
    details.dataset.loaded = "true";
    slot.removeAttribute("aria-busy");
    makeSortable(slot);
  }

  function loadTable(details) {
    if (details.dataset.loaded) { return; }
    details.dataset.loaded = "pending";
    var slot = details.querySelector("[data-table-slot]");
    slot.setAttribute("aria-busy", "true");
    fetch(details.dataset.tableUrl, {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) { placeTable(details, tableOf(html)); })
      .catch(function () {
        delete details.dataset.loaded;  // the link stays; opening again tries again
        slot.removeAttribute("aria-busy");
      });
  }

  function foldTables(tables) {
    tables.forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open) { loadTable(details); }
      });
      if (details.open) { loadTable(details); }
    });
  }

  // The print of a dashboard has every chart and every table: the browser lays the page out
  // for print as soon as "beforeprint" returns, so the tables still missing are fetched
  // synchronously here (only when printing, from the same server's cache). The charts need
  // plotly.js, loaded since the first chart came near the viewport (the top of every page).
  var openedForPrint = [];

  function readyForPrint() {
    if (window.Plotly) {
      document.querySelectorAll("[data-figure]:not([data-drawn='true'])").forEach(function (chart) {
        drawWith(window.Plotly, chart);
      });
    }
    document.querySelectorAll("details[data-table-url]:not([data-loaded='true'])").forEach(function (details) {
      var request = new XMLHttpRequest();
      request.open("GET", details.dataset.tableUrl, false);
      try {
        request.send();
        if (request.status === 200) { placeTable(details, tableOf(request.responseText)); }
      } catch (error) { /* printed with its link instead */ }
    });
    // A closed <details> prints folded whatever the print stylesheet says: open them meanwhile.
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      openedForPrint.push(details);
    });
  }

  function afterPrint() {
    openedForPrint.forEach(function (details) { details.open = false; });
    openedForPrint = [];
  }

  function makeSortable(root) {
    root.querySelectorAll("table.sortable").forEach(function (table) {
      table.querySelectorAll("th").forEach(function (header, column) {
        header.tabIndex = 0;
        header.addEventListener("click", function () { sortBy(table, header, column); });
        header.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { sortBy(table, header, column); }
        });
      });
    });
  }

  function sortBy(table, header, column) {
    var descending = header.getAttribute("aria-sort") !== "descending";
    table.querySelectorAll("th").forEach(function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
      var nx = parseFloat(x), ny = parseFloat(y);
      var order = (isNaN(nx) || isNaN(ny)) ? String(x).localeCompare(String(y)) : nx - ny;
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var charts = Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
    drawWhenSeen(charts);
    foldTables(document.querySelectorAll("details[data-table-url]"));
    makeSortable(document);
    window.addEventListener("beforeprint", readyForPrint);
    window.addEventListener("afterprint", afterPrint);
  });
})();

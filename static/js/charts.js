// Draws every figure whose JSON a page embeds with json_script, and makes tables sortable.
document.addEventListener("DOMContentLoaded", function () {
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

  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(source.textContent);
    var filename = element.dataset.filename || element.dataset.figure.replace(/^figure-/, "");
    window.Plotly.newPlot(element, figure.data, figure.layout, {
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
        icon: window.Plotly.Icons["camera-retro"],
        click: function (gd) {
          window.Plotly.downloadImage(gd, {format: "svg", filename: filename});
        }
      }]
    });
  });

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("th").forEach(function (header, column) {
      header.tabIndex = 0;
      header.addEventListener("click", function () { sortBy(table, header, column); });
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { sortBy(table, header, column); }
      });
    });
  });

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
});


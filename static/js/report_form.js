// The report form without a round trip: group totals follow the typing, and equipment units
// are added as new rows. The page works without this script (totals are computed on save,
// and an empty unit row is always there).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("section-form");
  if (!form) { return; }

  // --- group totals -------------------------------------------------------------------
  function total(group) {
    var inputs = form.querySelectorAll('input[data-group="' + group + '"]');
    var sum = 0, reported = false, valid = true;
    inputs.forEach(function (input) {
      var text = input.value.trim();
      if (text === "") { return; }
      if (!/^\d+$/.test(text)) { valid = false; return; }
      sum += parseInt(text, 10);
      reported = true;
    });
    if (!valid) { return "?"; }
    return reported ? sum.toLocaleString("en-US") : "—";
  }

  function refresh(group) {
    form.querySelectorAll('output[data-total-for="' + group + '"]').forEach(function (output) {
      output.value = total(group);
      output.textContent = output.value;
    });
  }

  form.addEventListener("input", function (event) {
    var group = event.target.getAttribute("data-group");
    if (group) { refresh(group); }
  });

  // --- equipment units ----------------------------------------------------------------
  var addButton = document.getElementById("add-unit");
  var template = document.getElementById("unit-template");
  var list = document.getElementById("unit-list");
  var totalForms = form.querySelector('input[name$="-TOTAL_FORMS"]');
  if (addButton && template && list && totalForms) {
    addButton.hidden = false;
    form.querySelectorAll(".no-js-hint").forEach(function (hint) { hint.hidden = true; });
    addButton.addEventListener("click", function () {
      var index = parseInt(totalForms.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      list.appendChild(row);
      totalForms.value = String(index + 1);
      var first = row.querySelector("select, input");
      if (first) { first.focus(); }
    });
  }
});

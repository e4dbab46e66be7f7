// The report form without a round trip: group totals follow the typing, equipment units are
// added as new rows and the counts they decide follow them (by type, owner, and what a unit
// says of itself), leaving the page with unsaved input asks first, and a refused save puts
// the focus on its error summary. The page works without this script (totals are computed
// on save, an empty unit row is always there, and a save that would change a count the page
// did not show changing asks to be confirmed).
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

  // --- equipment units and the counts they decide ---------------------------------------
  var unitsBox = document.getElementById("units");
  var list = document.getElementById("unit-list");

  function listedUnits() {
    var units = [];
    list.querySelectorAll(".unit-row").forEach(function (row) {
      var type = row.querySelector("select.unit-type");
      var deleted = row.querySelector('input[name$="-DELETE"]');
      if (!type || !type.value || (deleted && deleted.checked)) { return; }
      var owner = row.querySelector("select.unit-owner");
      var says = {};  // what the unit says of itself (long axial, made in China), where asked
      row.querySelectorAll("input[data-unit-attribute]").forEach(function (box) {
        says[box.getAttribute("data-unit-attribute")] = box.checked && !box.disabled;
      });
      units.push({ type: type.value, owner: owner ? owner.value : "", says: says });
    });
    return units;
  }

  // A unit may say it is long axial only if of the types the box names: elsewhere it is off.
  function offerAttributes() {
    list.querySelectorAll(".unit-row").forEach(function (row) {
      var type = row.querySelector("select.unit-type");
      row.querySelectorAll("input[data-only-types]").forEach(function (box) {
        var offered = !!type && box.getAttribute("data-only-types").split(" ")
          .indexOf(type.value) >= 0;
        if (!offered) { box.checked = false; }
        box.disabled = !offered;
        var field = box.closest(".unit-field");
        if (field) { field.hidden = !offered; }
      });
    });
  }

  function shown(text) {
    return text === "" ? "—" : parseInt(text, 10).toLocaleString("en-US");
  }

  function labelOf(input) {
    var label = form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.trim() : input.name;
  }

  // The same counts as equipment.services.counts_from_units, and the same fingerprint.
  function deriveCounts() {
    var units = listedUnits();
    var derivable = form.querySelectorAll(
      "input[data-derived-type], input[data-derived-owner], input[data-derived-attribute]");
    var byAttribute = form.querySelectorAll("input[data-derived-attribute]");
    var imaging = (unitsBox.getAttribute("data-imaging-types") || "").split(" ");
    var counts = {};
    if (units.length) {
      derivable.forEach(function (input) { counts[input.name] = 0; });
      units.forEach(function (unit) {
        counts[unit.type] = (counts[unit.type] || 0) + 1;
        byAttribute.forEach(function (input) {
          var types = input.getAttribute("data-derived-types").split(" ");
          if (types.indexOf(unit.type) >= 0 && unit.says[input.getAttribute("data-derived-attribute")]) {
            counts[input.name] += 1;
          }
        });
        if (imaging.indexOf(unit.type) < 0) { return; }
        var owner = form.querySelector('input[data-derived-owner="' + unit.owner + '"]');
        if (owner) { counts[owner.name] += 1; }
      });
    }
    var changes = [], groups = {};
    form.querySelectorAll("input[data-saved]").forEach(function (input) {
      var derived = Object.prototype.hasOwnProperty.call(counts, input.name);
      if (derived) {
        input.value = String(counts[input.name]);
        var saved = input.getAttribute("data-saved");
        // As equipment.services.count_changes: a count not reported becoming 0 loses nothing.
        if (input.value !== saved && !(saved === "" && input.value === "0")) {
          changes.push(labelOf(input) + ": " + shown(input.getAttribute("data-saved")) +
                       " → " + shown(input.value));
        }
      } else if (input.readOnly) {
        input.value = input.getAttribute("data-saved");  // no unit decides it any more
      }
      input.readOnly = derived;
      input.classList.toggle("derived", derived);
      if (input.getAttribute("data-group")) { groups[input.getAttribute("data-group")] = true; }
    });
    Object.keys(groups).forEach(refresh);
    form.querySelector('input[name="counts_shown"]').value = Object.keys(counts).sort()
      .map(function (item) { return item + "=" + counts[item]; }).join(",");
    var box = document.getElementById("count-changes");
    var items = box.querySelector("ul");
    items.textContent = "";
    changes.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      items.appendChild(li);
    });
    box.hidden = changes.length === 0;
    box.classList.toggle("notice", changes.length > 0);
    document.querySelectorAll("[data-units-listed]").forEach(function (note) {
      note.hidden = units.length === 0;
    });
    document.querySelectorAll("[data-units-none]").forEach(function (note) {
      note.hidden = units.length > 0;
    });
  }

  var addButton = document.getElementById("add-unit");
  var template = document.getElementById("unit-template");
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
  if (unitsBox && list && addButton) {  // an editable equipment section
    list.addEventListener("change", function () { offerAttributes(); deriveCounts(); });
    offerAttributes();
    deriveCounts();
  }

  // --- leaving with unsaved input -----------------------------------------------------
  // What the filer changed: fields whose value differs from the page as loaded (a blank row
  // added and left blank is no change; the derived counts follow the units).
  var ignored = /(-TOTAL_FORMS|^counts_shown)$/;
  function values() {
    var found = {};
    new FormData(form).forEach(function (value, name) {
      if (!ignored.test(name)) { found[name] = (found[name] || "") + "\u0000" + value; }
    });
    return found;
  }
  var loaded = values();
  function changed() {
    if (form.hasAttribute("data-unsaved")) { return true; }  // a refused save's input
    var now = values();
    return Object.keys(now).concat(Object.keys(loaded)).some(function (name) {
      return (now[name] || "\u0000") !== (loaded[name] || "\u0000");
    });
  }
  var leaving = false;
  form.addEventListener("submit", function () { leaving = true; });
  window.addEventListener("beforeunload", function (event) {
    if (leaving || !changed()) { return; }
    event.preventDefault();
    event.returnValue = "";  // older browsers need a value to ask
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || leaving || link.getAttribute("href").charAt(0) === "#") { return; }
    if (link.target === "_blank" || !changed()) { return; }
    if (window.confirm(form.getAttribute("data-leave-warning"))) {
      leaving = true;  // asked once: the browser's own prompt would ask again
    } else {
      event.preventDefault();
    }
  });

  // --- a refused save -----------------------------------------------------------------
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      var field = target.matches("input, select, textarea") ? target
        : target.querySelector("input:not([type=hidden]), select, textarea");
      if (field) {
        event.preventDefault();
        field.focus();
        field.scrollIntoView({ block: "center" });
      }
    });
  }
});

// Scoring editor: the operator list and the value picker follow the chosen field; "add" buttons
// append a blank row from the formset's empty form. Without this script every picker is shown and
// one blank row of each kind is there to fill in: the page works the same, less tidily.
(function () {
  "use strict";
  var configNode = document.getElementById("scoring-editor-config");
  var editor = document.getElementById("rule-set-editor");
  if (!configNode || !editor) { return; }
  var config = JSON.parse(configNode.textContent);

  function pickerFor(kind, field, operator) {
    if (!field || !operator || operator === "is_set") { return null; }
    if (kind === "choice") { return "choice-" + field; }
    if (kind === "number" && operator !== "in") { return "number"; }
    return "text";
  }

  function update(card) {
    var fieldSelect = card.querySelector("select[name$='-field']");
    var operatorSelect = card.querySelector("select[name$='-operator']");
    if (!fieldSelect || !operatorSelect) { return; }
    var spec = config[fieldSelect.value];
    var allowed = spec ? spec.operators : [];
    Array.prototype.forEach.call(operatorSelect.options, function (option) {
      var ok = option.value === "" || allowed.indexOf(option.value) !== -1;
      option.hidden = !ok;
      option.disabled = !ok;
    });
    if (operatorSelect.value && allowed.indexOf(operatorSelect.value) === -1) {
      operatorSelect.value = allowed.length ? allowed[0] : "";
    }
    var shown = pickerFor(spec && spec.kind, fieldSelect.value, operatorSelect.value);
    card.querySelectorAll("[data-value]").forEach(function (box) {
      box.hidden = box.getAttribute("data-value") !== shown;
    });
  }

  function wire(card) {
    card.addEventListener("change", function (event) {
      if (event.target.matches("select[name$='-field'], select[name$='-operator']")) { update(card); }
      if (event.target.matches("input[name$='-DELETE']")) {
        card.classList.toggle("is-deleted", event.target.checked);
      }
    });
    update(card);
  }

  editor.querySelectorAll("[data-rule-card]").forEach(wire);

  editor.querySelectorAll("[data-add-row]").forEach(function (button) {
    var prefix = button.getAttribute("data-add-row");
    var template = document.getElementById(prefix + "-empty");
    var container = editor.querySelector("[data-formset='" + prefix + "']");
    var total = editor.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    if (!template || !container || !total) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var card = holder.firstElementChild;
      container.appendChild(card);
      total.value = String(index + 1);
      wire(card);
      var first = card.querySelector("select, input:not([type=hidden])");
      if (first) { first.focus(); }
    });
  });
})();

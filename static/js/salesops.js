// Page behaviour shared by every page (loaded in the <head> of base.html; no inline scripts, see the
// Content-Security-Policy). Listeners are on the document, so they work while the page still loads.
document.documentElement.classList.add("js");
document.addEventListener("change", function (event) {
  // The language menu switches as soon as a language is picked (the button is for no-script use).
  if (event.target.id === "language-select") {
    event.target.form.submit();
  }
});

// Global search: "/" focuses the header search box (unless the user is typing in a field).
document.addEventListener("keydown", function (event) {
  var target = event.target, box = document.getElementById("global-search");
  if (event.key !== "/" || !box || event.ctrlKey || event.metaKey || event.altKey) {
    return;
  }
  if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
    return;
  }
  event.preventDefault();
  box.focus();
  box.select();
});

// Main navigation (includes/_mainnav.html): the "Menu" disclosure is closed on a phone once the page
// has loaded (it is open in the HTML so the menu works without JavaScript) and always open on a wider
// screen, where its summary is hidden. One group drop-down is open at a time; Escape or a click
// outside closes them.
(function () {
  var narrow = window.matchMedia("(max-width: 800px)");
  function fit() {
    var menu = document.querySelector("[data-navmenu]");
    if (menu) { menu.open = !narrow.matches; }
  }
  function closeGroups(except) {
    document.querySelectorAll("details.navgroup[open]").forEach(function (group) {
      if (group !== except) { group.open = false; }
    });
  }
  document.addEventListener("DOMContentLoaded", fit);
  if (narrow.addEventListener) { narrow.addEventListener("change", fit); }
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details.navgroup") && event.target.open && !narrow.matches) {
      closeGroups(event.target);
    }
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".mainnav")) {
      if (!narrow.matches) { closeGroups(null); }
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector("details.navgroup[open]");
    if (open) {
      closeGroups(null);
      open.querySelector("summary").focus();
    } else if (narrow.matches) {
      var menu = document.querySelector("[data-navmenu][open]");
      if (menu) { menu.open = false; menu.querySelector("summary").focus(); }
    }
  });
}());

// Pickers (issue 12): a person or team typed by name; the list below offers matches from the
// JSON lookup (`data-lookup`), and choosing one puts its id into the hidden input the form submits.
(function () {
  var timers = new WeakMap();

  function parts(text) {
    var box = text.closest(".picker");
    return {box: box, value: box.querySelector(".picker-value"), list: box.querySelector(".picker-options")};
  }

  function close(p) {
    p.list.hidden = true;
    p.box.querySelector(".picker-text").setAttribute("aria-expanded", "false");
  }

  function choose(p, item) {
    var text = p.box.querySelector(".picker-text");
    p.value.value = item.dataset.id;
    text.value = item.textContent;
    text.dataset.asked = String(Number(text.dataset.asked || 0) + 1);  // a pending answer reopens nothing
    clearTimeout(timers.get(text));
    close(p);
    text.dispatchEvent(new CustomEvent("picker:chosen", {bubbles: true}));
  }

  function show(text, results) {
    var p = parts(text);
    p.list.textContent = "";
    results.forEach(function (result, index) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = p.list.id + "_" + index;
      item.dataset.id = result.id;
      item.textContent = result.label;
      p.list.appendChild(item);
    });
    p.list.hidden = results.length === 0;
    text.setAttribute("aria-expanded", results.length ? "true" : "false");
  }

  function lookup(text) {
    var p = parts(text), url = p.box.dataset.lookup + "?q=" + encodeURIComponent(text.value.trim());
    var asked = (Number(text.dataset.asked || 0) + 1);
    text.dataset.asked = String(asked);  // only the latest answer is shown (answers may arrive out of order)
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (data) {
        if (document.activeElement === text && text.dataset.asked === String(asked)) {
          show(text, data.results || []);
        }
      })
      .catch(function () { show(text, []); });
  }

  document.addEventListener("input", function (event) {
    var text = event.target;
    if (!text.classList || !text.classList.contains("picker-text")) {
      return;
    }
    parts(text).value.value = "";  // a changed name means no one is chosen until a match is picked
    clearTimeout(timers.get(text));
    timers.set(text, setTimeout(function () { lookup(text); }, 150));
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("picker-text")) {
      lookup(event.target);
    }
  });

  document.addEventListener("mousedown", function (event) {
    var item = event.target.closest && event.target.closest(".picker-options li");
    if (item) {
      event.preventDefault();
      choose(parts(item), item);
    }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target.classList && event.target.classList.contains("picker-text")) {
      var p = parts(event.target);
      setTimeout(function () { close(p); }, 100);
    }
  });

  document.addEventListener("keydown", function (event) {
    var text = event.target;
    if (!text.classList || !text.classList.contains("picker-text")) {
      return;
    }
    var p = parts(text), items = Array.prototype.slice.call(p.list.querySelectorAll("li"));
    var current = items.findIndex(function (item) { return item.getAttribute("aria-selected") === "true"; });
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && items.length) {
      event.preventDefault();
      p.list.hidden = false;
      var next = event.key === "ArrowDown" ? Math.min(current + 1, items.length - 1) : Math.max(current - 1, 0);
      items.forEach(function (item, index) { item.setAttribute("aria-selected", index === next ? "true" : "false"); });
      text.setAttribute("aria-activedescendant", items[next].id);
    } else if (event.key === "Enter" && !p.list.hidden && current >= 0) {
      event.preventDefault();
      choose(p, items[current]);
    } else if (event.key === "Escape") {
      close(p);
    }
  });
}());

// Quick add (issue 12): the "+ New" menu opens the small form in a dialog; a failed save shows the
// form again with its values and errors, a successful one goes to the new record.
(function () {
  function dialog() {
    var box = document.getElementById("quick-dialog");
    if (!box) {
      box = document.createElement("dialog");
      box.id = "quick-dialog";
      box.className = "quick-dialog";
      document.body.appendChild(box);
    }
    return box;
  }

  function fill(html) {
    var box = dialog();
    box.innerHTML = html;
    if (!box.open) {
      box.showModal();
    }
    var first = box.querySelector(".errorlist + input, [aria-invalid], input:not([type=hidden]), select, textarea");
    if (first) {
      first.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-add]");
    if (link && typeof HTMLDialogElement === "function") {
      event.preventDefault();
      var menu = link.closest("details");
      if (menu) {
        menu.open = false;
      }
      fetch(link.href, {headers: {"X-Quick-Add": "1"}, credentials: "same-origin"})
        .then(function (response) { return response.text(); })
        .then(fill)
        .catch(function () { window.location.href = link.href; });
      return;
    }
    if (event.target.closest && event.target.closest("[data-quick-close]")) {
      var box = document.getElementById("quick-dialog");
      if (box && box.open) {
        box.close();
      } else {
        window.history.back();
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("dialog [data-quick-form]")) {
      return;
    }
    event.preventDefault();
    fetch(form.action, {method: "POST", body: new FormData(form), headers: {"X-Quick-Add": "1"},
                        credentials: "same-origin"})
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return json ? response.json().then(function (data) { window.location.href = data.url; })
                    : response.text().then(fill);
      })
      .catch(function () { form.submit(); });
  });
}());

// The "+ New" menu closes on a click elsewhere or on Escape.
document.addEventListener("click", function (event) {
  var menu = document.querySelector("details.quickadd[open]");
  if (menu && !menu.contains(event.target)) {
    menu.open = false;
  }
});
document.addEventListener("keydown", function (event) {
  var menu = document.querySelector("details.quickadd[open]");
  if (menu && event.key === "Escape") {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

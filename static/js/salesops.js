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

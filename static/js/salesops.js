// Page behaviour shared by every page (loaded in the <head> of base.html; no inline scripts, see the
// Content-Security-Policy). Listeners are on the document, so they work while the page still loads.
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

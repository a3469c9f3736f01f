// Page behaviour shared by every page (loaded in the <head> of base.html; no inline scripts, see the
// Content-Security-Policy). Listeners are on the document, so they work while the page still loads.
document.addEventListener("change", function (event) {
  // The language menu switches as soon as a language is picked (the button is for no-script use).
  if (event.target.id === "language-select") {
    event.target.form.submit();
  }
});

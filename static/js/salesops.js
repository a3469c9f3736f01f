// Page behaviour shared by every page (loaded from base.html; no inline scripts, see the CSP).
document.addEventListener("DOMContentLoaded", function () {
  // The language menu switches as soon as a language is picked (the button is for no-script use).
  var language = document.getElementById("language-select");
  if (language) {
    language.addEventListener("change", function () { language.form.submit(); });
  }
});

/* The calendar page's "Copy address" button (served from static/, no inline script: CSP-safe).
 *
 * A button with data-copy-target="<input id>" copies that input's value to the clipboard and
 * says so in the element named by data-copy-status (a role="status" region, so screen readers
 * hear it). Where the clipboard is unavailable (an http:// page, an old browser), the address
 * is selected instead and the user is asked to copy it with the keyboard.
 */
(function () {
  "use strict";
  function say(button, text) {
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (status) { status.textContent = text; }
  }
  function selectFallback(button, input) {
    input.focus();
    input.select();
    say(button, "The address is selected: press Ctrl+C (or ⌘+C on a Mac) to copy it.");
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-target]"), function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy-target"));
      if (!input) { return; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { say(button, "Address copied. Paste it into your calendar program."); },
          function () { selectFallback(button, input); }
        );
      } else {
        selectFallback(button, input);
      }
    });
  });
})();

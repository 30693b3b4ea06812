/* The portal's own behaviour, served from static/ (no inline script, CSP-safe).
 *
 * 1. The idle timeout (WCAG 2.2.1): two minutes before the session would end, a warning with a
 *    "Stay signed in" button; the button asks the server for /session/keep-alive/, which counts
 *    as activity. The minutes come from <body data-idle-minutes>.
 * 2. Typed text survives a forced sign-in: every form marked data-draft keeps its text fields in
 *    sessionStorage as they are typed; when the page is shown again (after signing back in)
 *    they are put back and the user is told. A successful save clears the draft.
 * 3. An error summary (data-error-summary) receives focus when the page opens, so a screen
 *    reader announces the errors and the keyboard starts at the list linking to each field.
 */
(function () {
  "use strict";
  var body = document.body;

  // --- 3. error summary -------------------------------------------------------------------
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // --- 2. drafts --------------------------------------------------------------------------
  var WARN_BEFORE_MS = 2 * 60 * 1000;
  function draftKey(form) { return "moa-draft:" + (form.getAttribute("data-draft") || location.pathname); }
  function textFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && (el.type === "text" || el.type === "date" || el.type === "datetime-local" || el.type === "number"))) && el.name;
    });
  }
  function saveDraft(form) {
    var values = {};
    textFields(form).forEach(function (el) { values[el.name] = el.value; });
    try { sessionStorage.setItem(draftKey(form), JSON.stringify(values)); } catch (e) { /* storage full or off */ }
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(draftKey(form)) || "null"); } catch (e) { saved = null; }
    var hasErrors = !!document.querySelector("[data-error-summary]");
    if (saved && !hasErrors) {
      var restored = false;
      textFields(form).forEach(function (el) {
        if (Object.prototype.hasOwnProperty.call(saved, el.name) && saved[el.name] && saved[el.name] !== el.value) {
          el.value = saved[el.name];
          restored = true;
        }
      });
      if (restored) {
        var note = document.createElement("div");
        note.className = "alert alert-info";
        note.setAttribute("role", "status");
        note.setAttribute("data-draft-restored", "");
        note.textContent = "The text you typed before you were signed out has been put back. Check it, then save.";
        form.parentNode.insertBefore(note, form);
      }
    }
    form.addEventListener("input", function () { saveDraft(form); });
    form.addEventListener("submit", function () { saveDraft(form); sessionStorage.setItem(draftKey(form) + ":submitted", "1"); });
  });
  // A page that says "saved" (a success message) ends the drafts of the form just submitted.
  if (document.querySelector(".alert-success")) {
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf("moa-draft:") === 0 && sessionStorage.getItem(key + ":submitted") === "1") {
        sessionStorage.removeItem(key);
        sessionStorage.removeItem(key + ":submitted");
      }
    });
  }

  // --- 1. idle warning --------------------------------------------------------------------
  var minutes = parseInt(body.getAttribute("data-idle-minutes") || "0", 10);
  var keepAliveUrl = body.getAttribute("data-keep-alive-url");
  if (!minutes || !keepAliveUrl) { return; }
  var warning = document.getElementById("idle-warning");
  var timer = null;
  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(showWarning, Math.max(0, minutes * 60 * 1000 - WARN_BEFORE_MS));
  }
  function showWarning() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), saveDraft);
    warning.hidden = false;
    warning.querySelector("button").focus();
  }
  warning.querySelector("button").addEventListener("click", function () {
    fetch(keepAliveUrl, { method: "GET", credentials: "same-origin", headers: { "X-Requested-With": "keep-alive" } })
      .then(function (response) {
        if (response.ok) {
          warning.hidden = true;
          schedule();
        } else {
          location.reload();
        }
      });
  });
  schedule();
}());

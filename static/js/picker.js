/* Pickers with suggestions (core/pickers.py), served from static/ (no inline script, CSP-safe).
 *
 * A picker with more choices than PORTAL_PICKER_LIMIT is drawn as a text box carrying
 * data-picker="<lookup URL>". Without this script it still works: the server accepts the key or
 * the exact name typed. With it, the box becomes an ARIA 1.2 combobox: typing asks the lookup URL
 * (`?q=`) for at most a screenful of `{"value", "label"}` suggestions, shown in a listbox under it.
 * Keyboard: Down/Up move through the suggestions, Enter chooses one (the form is not submitted),
 * Escape closes the list (a second Escape clears the box), Tab leaves it. A polite live region
 * says how many suggestions there are.
 */
(function () {
  "use strict";
  var DELAY_MS = 150;
  var count = 0;

  function enhance(input) {
    var url = input.getAttribute("data-picker");
    if (!url) { return; }
    count += 1;
    var listId = (input.id || "picker-" + count) + "-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list list-group position-absolute shadow-sm";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var holder = input.parentNode;
    holder.classList.add("position-relative");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var timer = null;
    var asked = 0;
    var active = -1;

    function options() { return list.querySelectorAll("[role=option]"); }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var all = options();
      if (!all.length) { return; }
      active = (index + all.length) % all.length;
      Array.prototype.forEach.call(all, function (el, i) {
        var on = i === active;
        el.classList.toggle("active", on);
        el.setAttribute("aria-selected", on ? "true" : "false");
        if (on) {
          input.setAttribute("aria-activedescendant", el.id);
          el.scrollIntoView({ block: "nearest" });
        }
      });
    }

    function choose(el) {
      input.value = el.getAttribute("data-value");
      status.textContent = el.textContent + " chosen.";
      close();
    }

    function show(results) {
      list.textContent = "";
      results.forEach(function (row, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.className = "list-group-item list-group-item-action";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-value", row.value);
        item.textContent = row.label === row.value ? row.label : row.label + " (" + row.value + ")";
        // mousedown, not click: the box keeps focus, so the list is not closed by its blur first.
        item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(item);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = !results.length;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length
        ? results.length + " suggestion" + (results.length === 1 ? "" : "s") + ": use the down arrow to choose."
        : "No suggestions.";
    }

    function ask() {
      var mine = ++asked;
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "q=" + encodeURIComponent(input.value), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (mine === asked && document.activeElement === input) { show(data.results || []); }
        })
        .catch(function () { /* no suggestions: typing the name still works */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) { highlight(active + 1); } else { ask(); }
      } else if (event.key === "ArrowUp") {
        if (open) { event.preventDefault(); highlight(active - 1); }
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); choose(options()[active]); }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); } else if (input.value) { event.preventDefault(); input.value = ""; }
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-picker]"), enhance);
})();

/* Passkeys and security keys (WebAuthn): adding one on Sign-in security, using one at the
 * second step of a sign-in. Served from static/ (no inline script: CSP-safe); people/passkeys.py
 * has the server's side.
 *
 * A form with data-passkey="register" or "authenticate" gets its button shown (without this
 * script the page says a passkey needs JavaScript, and the other factors stay). On submit:
 *   1. POST the form's fields to data-options-url for the options (the server may first ask
 *      for proof of a current factor, and answers {detail} if it is wrong); the server keeps
 *      their challenge in the session;
 *   2. the browser creates (register) or uses (authenticate) a passkey for them;
 *   3. the answer, as JSON, goes into the form's hidden "credential" field and the form is posted.
 * Problems are written into the element named by data-passkey-status (role="alert", so screen
 * readers announce them).
 */
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeDescriptors(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: toBytes(c.id) }); });
  }

  function creationOptions(o) {
    return Object.assign({}, o, {
      challenge: toBytes(o.challenge),
      user: Object.assign({}, o.user, { id: toBytes(o.user.id) }),
      excludeCredentials: decodeDescriptors(o.excludeCredentials)
    });
  }

  function requestOptions(o) {
    return Object.assign({}, o, {
      challenge: toBytes(o.challenge),
      allowCredentials: decodeDescriptors(o.allowCredentials)
    });
  }

  function answer(credential) {
    var r = credential.response;
    var out = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: { clientDataJSON: toText(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      out.response.userHandle = r.userHandle ? toText(r.userHandle) : null;
    }
    return JSON.stringify(out);
  }

  function problem(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") {
      return "The passkey was not used (cancelled or timed out). Try again, or use another way below.";
    }
    if (name === "InvalidStateError") {
      return "This passkey or security key is already added to your account.";
    }
    if (name === "SecurityError") {
      return "Passkeys cannot be used at this address of the portal. Ask the portal's administrators.";
    }
    return (error && error.message) || "Something went wrong with the passkey. Please try again.";
  }

  var supported = !!(window.PublicKeyCredential && navigator.credentials && window.isSecureContext);

  Array.prototype.forEach.call(document.querySelectorAll("form[data-passkey]"), function (form) {
    var mode = form.getAttribute("data-passkey");
    var button = form.querySelector("[data-passkey-button]");
    var note = form.querySelector("[data-passkey-without-script]");
    var status = document.getElementById(form.getAttribute("data-passkey-status"));
    var field = form.querySelector("input[name='credential']");
    var name = form.querySelector("input[name='name']");
    function say(text) { if (status) { status.textContent = text; } }

    if (!supported) {
      if (note) { note.textContent = "This browser cannot use passkeys here. Use another way instead."; }
      return;
    }
    if (note) { note.hidden = true; }
    button.hidden = false;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      say("");
      if (name && !name.value.trim()) {
        say("Enter a name for the passkey first.");
        name.focus();
        return;
      }
      button.disabled = true;
      var token = form.querySelector("input[name='csrfmiddlewaretoken']").value;
      fetch(form.getAttribute("data-options-url"), {
        method: "POST",
        headers: { "X-CSRFToken": token, "Accept": "application/json" },
        // The form's fields go too: adding a passkey to an account with a factor asks for
        // proof of it (a code or the password) before the options are given.
        body: new FormData(form),
        credentials: "same-origin"
      }).then(function (response) {
        // A refusal that is not JSON (an expired page's CSRF token: the 403 page) reads as {}.
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) {
            throw new Error(body.detail || "The portal could not start the passkey request. Reload the page and try again.");
          }
          return body;
        });
      }).then(function (options) {
        return mode === "register"
          ? navigator.credentials.create({ publicKey: creationOptions(options) })
          : navigator.credentials.get({ publicKey: requestOptions(options) });
      }).then(function (credential) {
        field.value = answer(credential);
        say(mode === "register" ? "Adding the passkey…" : "Signing in…");
        form.submit();
      }).catch(function (error) {
        button.disabled = false;
        say(problem(error));
      });
    });
  });
})();

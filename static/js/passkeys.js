// Passkeys (WebAuthn) for the forms marked data-passkey: "register" (/me/security), "signin"
// (/login, also offered in the e-mail field's autofill where the browser can), "signup" and
// "step" (the second step). The server hands out the options and checks the answers
// (app/accounts/factors); this file only carries them between it and the browser's API.
(function () {
  "use strict";

  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    if (!buffer) return null;
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(o) {
    o.challenge = toBytes(o.challenge);
    o.user.id = toBytes(o.user.id);
    (o.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return o;
  }

  function requestOptions(o) {
    o.challenge = toBytes(o.challenge);
    (o.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return o;
  }

  function answer(credential) {
    var r = credential.response, out = {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null,
      response: {clientDataJSON: toText(r.clientDataJSON)}
    };
    if (r.attestationObject) {
      out.response.attestationObject = toText(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(r.authenticatorData);
      out.response.signature = toText(r.signature);
      out.response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify(out);
  }

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"Accept": "application/json"}})
      .then(function (response) {
        return response.json().then(function (data) {
          // Asked to confirm it is them first: the server names the page that does.
          if (response.status === 401 && data.redirect) window.location.assign(data.redirect);
          if (!response.ok) throw {message: data.error};
          return data;
        });
      });
  }

  function show(form, message) {
    var slot = form.querySelector("[data-passkey-error]");
    if (!slot) return;
    slot.textContent = message;
    slot.hidden = !message;
  }

  function finish(form, credential) {
    var body = new FormData();
    body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
    body.append("credential", answer(credential));
    var name = form.querySelector("input[name=name]");
    if (name) body.append("name", name.value);
    return post(form.action, body).then(function (data) { window.location.assign(data.redirect); });
  }

  // The autofill request on /login. A button's own request waits until the autofill's options
  // have come back and its request is withdrawn: two requests at once would race for the
  // challenge the server keeps, and a browser runs one WebAuthn request at a time.
  var autofilling = null;

  function ceremony(form, controller) {
    var kind = form.getAttribute("data-passkey");
    // Sign-up takes the name and address typed in the password form above it.
    var fields = document.getElementById(form.getAttribute("data-fields")) || form;
    return post(form.getAttribute("data-options"), new FormData(fields)).then(function (options) {
      if (kind === "register" || kind === "signup") {
        return navigator.credentials.create({publicKey: creationOptions(options.publicKey || options)});
      }
      var request = {publicKey: requestOptions(options.publicKey || options)};
      if (controller) {
        if (controller.signal.aborted) throw new DOMException("withdrawn", "AbortError");
        request.mediation = "conditional";
        request.signal = controller.signal;
      }
      return navigator.credentials.get(request);
    }).then(function (credential) { return finish(form, credential); });
  }

  function start(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show(form, "");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      var before = Promise.resolve();
      if (autofilling) {
        autofilling.controller.abort();
        before = autofilling.settled;
        autofilling = null;
      }
      before.then(function () { return ceremony(form, null); }).catch(function (error) {
        // The server's message, or (the person cancelled, the browser refused) the page's own.
        var fromServer = error && error.message && !(error instanceof Error);
        show(form, fromServer ? error.message : form.getAttribute("data-failed"));
        button.disabled = false;
      });
    });
  }

  function autofill(form) {
    if (!window.PublicKeyCredential || !PublicKeyCredential.isConditionalMediationAvailable) return;
    var controller = new AbortController();
    var settled = PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (controller.signal.aborted) return null;
      if (available && document.querySelector("input[autocomplete~=webauthn]")) {
        return ceremony(form, controller);
      }
      return null;
    }).catch(function () { /* dismissed or withdrawn for the button's own request */ });
    autofilling = {controller: controller, settled: settled};
  }

  function init() {
    var forms = document.querySelectorAll("form[data-passkey]");
    if (!forms.length) return;
    if (!window.PublicKeyCredential) {
      forms.forEach(function (form) {
        show(form, form.getAttribute("data-unsupported"));
        form.querySelector("button[type=submit]").disabled = true;
      });
      return;
    }
    forms.forEach(function (form) {
      if (form.getAttribute("data-bound")) return;
      form.setAttribute("data-bound", "1");
      start(form);
      if (form.getAttribute("data-passkey") === "signin") autofill(form);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  document.addEventListener("htmx:afterSettle", init);
})();

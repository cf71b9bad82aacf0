// "Remind me on this device" (/me/notifications): asks the browser for permission to show
// notifications only when tapped, subscribes this browser with our VAPID public key and posts
// the subscription to the server. Without support for push the button stays hidden.
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) return;
  var button = box.querySelector("[data-push-enable]");
  var status = box.querySelector("[data-push-status]");

  function say(text) {
    status.textContent = text || "";
    status.hidden = !text;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    box.querySelector("[data-push-unsupported]").hidden = false;
    return;
  }
  button.hidden = false;

  function bytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  function subscription(registration) {
    var options = { userVisibleOnly: true, applicationServerKey: bytes(box.getAttribute("data-vapid-key")) };
    return registration.pushManager.getSubscription().then(function (old) {
      if (!old) return registration.pushManager.subscribe(options);
      // Made with another key (the server's keys changed): only a new one can be used.
      return registration.pushManager.subscribe(options).catch(function () {
        return old.unsubscribe().then(function () { return registration.pushManager.subscribe(options); });
      });
    });
  }

  function send(sub) {
    var json = sub.toJSON();
    var token = document.querySelector("meta[name=csrf-token]").content;
    return fetch(box.getAttribute("data-subscribe-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ endpoint: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth })
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw { ours: data.error };
        return data;
      });
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    say("");
    // Asked here, after the tap, never on page load: browsers hide prompts nobody asked for.
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw { ours: box.getAttribute("data-denied") };
      return navigator.serviceWorker.register("/sw.js", { scope: "/" })
        .then(function () { return navigator.serviceWorker.ready; });
    }).then(subscription).then(send).then(function (data) {
      window.location.assign(data.redirect);
    }).catch(function (error) {
      button.disabled = false;
      // Our own words, translated; a browser's error text is neither.
      say((error && error.ours) || box.getAttribute("data-failed"));
    });
  });
})();

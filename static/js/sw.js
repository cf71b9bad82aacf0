// Service worker: static assets cache-first, pages network-first with a translated offline page.
const VERSION = "fitflow-v2";
const OFFLINE = { ar: "/offline/ar", en: "/offline/en" };
const PRECACHE = [OFFLINE.ar, OFFLINE.en, "/static/css/app.css", "/static/js/app.js",
  "/static/vendor/htmx-2.0.11.min.js", "/static/icons/icon.svg"];
let lang = (self.navigator.language || "en").slice(0, 2) === "ar" ? "ar" : "en";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (event.data && OFFLINE[event.data.lang]) lang = event.data.lang;
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    const wanted = url.searchParams.get("lang");
    const pick = OFFLINE[wanted] ? wanted : lang;
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE[pick])));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Versioned URLs (?v=hash) share the precached copy while offline.
    event.respondWith(fetch(request).catch(() => caches.match(request, { ignoreSearch: true })));
  }
});

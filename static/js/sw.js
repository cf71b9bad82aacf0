// Service worker: static assets cache-first, pages network-first with a translated offline page.
// The coach's pages (/coach/ and everything under /coach/<studio>/: rosters, workouts) are kept
// as last seen online, so a tablet that reloads without a network still shows them — with its
// queued taps (static/js/queue.js) on top. PAGES is named by the coach URL layout: pages kept
// under another layout post to URLs that only redirect now, so a new name drops them.
const VERSION = "fitflow-v4";
const PAGES = "fitflow-coach-pages-v2";
const OFFLINE = { ar: "/offline/ar", en: "/offline/en" };
const PRECACHE = [OFFLINE.ar, OFFLINE.en, "/static/css/app.css", "/static/js/app.js",
  "/static/vendor/htmx-2.0.11.min.js", "/static/icons/icon.svg"];
let lang = (self.navigator.language || "en").slice(0, 2) === "ar" ? "ar" : "en";

// Precached without cookies: none of these is anyone's, and a response to a request sent with
// the cookie of the moment could set the session back to it (a sign-in made meanwhile was lost).
self.addEventListener("install", (event) => {
  const requests = PRECACHE.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(caches.open(VERSION).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== VERSION && k !== PAGES).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (!event.data) return;
  if (OFFLINE[event.data.lang]) lang = event.data.lang;
  if (event.data.signedOut) event.waitUntil(caches.delete(PAGES));  // nobody else's pages
});

function offlinePage(url) {
  const wanted = url.searchParams.get("lang");
  return caches.match(OFFLINE[OFFLINE[wanted] ? wanted : lang]);
}

function coachPage(request, url) {
  return fetch(request).then((response) => {
    if (response.ok && !response.redirected) {
      const copy = response.clone();
      caches.open(PAGES).then((cache) => cache.put(request, copy));
    }
    return response;
  }).catch(() => caches.open(PAGES)
    .then((cache) => cache.match(request))
    .then((hit) => hit || offlinePage(url)));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(url.pathname.startsWith("/coach/") ? coachPage(request, url)
      : fetch(request).catch(() => offlinePage(url)));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Kept by path, so a new ?v=hash replaces the old copy; used while offline.
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(VERSION).then((cache) => cache.put(url.pathname, copy));
      }
      return response;
    }).catch(() => caches.match(request, { ignoreSearch: true })));
  }
});

// Service worker: static assets cache-first, pages network-first with a translated offline page.
// The coach's pages (/coach/ and everything under /coach/<studio>/: rosters, workouts) are kept
// as last seen online, so a tablet that reloads without a network still shows them — with its
// queued taps (static/js/queue.js) on top. They are kept per signed-in session: every HTML
// answer names its session (the X-FitFlow-Session header, and the page's fitflow-session meta
// tag the page passes on), and the pages are kept in a cache named after it. A different name
// (another person signed in), "anon" (signed out, expired, ended elsewhere) or an answer that
// sends to the sign-in page drops every kept page. PAGES is the prefix; it is named by the
// coach URL layout: pages kept under another layout post to URLs that only redirect now.
const VERSION = "fitflow-v5";
const PAGES = "fitflow-coach-pages-v3:";
const SESSION_HEADER = "X-FitFlow-Session";
const NOBODY = "anon";
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
    .then((keys) => Promise.all(keys.filter((k) => k !== VERSION && !k.startsWith(PAGES)).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The session a response speaks for: its header, or nobody when it sends to sign in.
function sessionOf(response) {
  if (response.status === 401) return NOBODY;
  if (response.redirected && new URL(response.url).pathname === "/login") return NOBODY;
  return response.headers.get(SESSION_HEADER);
}

// Keep only the pages of `marker`'s session (none for nobody).
function sawSession(marker) {
  if (!marker) return Promise.resolve();
  return caches.keys().then((keys) => Promise.all(keys
    .filter((k) => k.startsWith(PAGES) && (marker === NOBODY || k !== PAGES + marker))
    .map((k) => caches.delete(k))));
}

// The kept pages' cache: at most one exists, the last session seen online.
function keptPages() {
  return caches.keys().then((keys) => {
    const name = keys.find((k) => k.startsWith(PAGES));
    return name ? caches.open(name) : null;
  });
}

self.addEventListener("message", (event) => {
  if (!event.data) return;
  if (OFFLINE[event.data.lang]) lang = event.data.lang;
  if (event.data.signedOut) event.waitUntil(sawSession(NOBODY));  // nobody else's pages
  if (typeof event.data.session === "string") event.waitUntil(sawSession(event.data.session));
});

function offlinePage(url) {
  const wanted = url.searchParams.get("lang");
  return caches.match(OFFLINE[OFFLINE[wanted] ? wanted : lang]);
}

function coachPage(request, url) {
  return fetch(request).then((response) => {
    const marker = sessionOf(response);
    const kept = sawSession(marker);
    if (response.ok && !response.redirected && marker && marker !== NOBODY) {
      const copy = response.clone();
      kept.then(() => caches.open(PAGES + marker)).then((cache) => cache.put(request, copy));
    }
    return response;
  }).catch(() => keptPages()
    .then((cache) => cache && cache.match(request))
    .then((hit) => hit || offlinePage(url)));
}

function otherPage(event, request, url) {
  return fetch(request).then((response) => {
    event.waitUntil(sawSession(sessionOf(response)));
    return response;
  }).catch(() => offlinePage(url));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(url.pathname.startsWith("/coach/") ? coachPage(request, url)
      : otherPage(event, request, url));
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

// Web push (app/notifications/services/push.py): the payload is {title, body, url, lang},
// already in the person's language; a tap opens its page, on this site only.
function ownUrl(url) {
  try {
    const target = new URL(url || "/", self.location.origin);
    return target.origin === self.location.origin ? target.href : self.location.origin + "/";
  } catch (error) {
    return self.location.origin + "/";
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = { body: event.data ? event.data.text() : "" };
  }
  const language = data.lang || lang;
  event.waitUntil(self.registration.showNotification(data.title || "FitFlow", {
    body: data.body || "",
    lang: language,
    dir: language === "ar" ? "rtl" : "ltr",
    icon: "/static/icons/icon.svg",
    data: { url: ownUrl(data.url) },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = ownUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
    .then((windows) => {
      const open = windows.find((client) => client.url === target);
      return open ? open.focus() : self.clients.openWindow(target);
    }));
});

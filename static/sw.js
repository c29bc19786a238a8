// The simulator's service worker: after the first visit the site works offline
// (a classroom with bad Wi-Fi keeps working). It caches only the site's own
// files, from the directory it is served from (its scope, e.g. /sim/).
//
// Online, every request goes to the network first (so a new release shows at
// once) and the answer refreshes the cache; offline, the cached copy answers.
// On install it caches index.html and every file index.html links to (Trunk
// gives the wasm, JS and CSS hashed names, so they are read from the page).

const CACHE = "kafka-sim-v1";
const SCOPE = new URL("./", self.location).href;

/** The site's own files named in index.html (href=./…, quoted or not after minifying; './…' in the loader). */
function assetsOf(html) {
  const found = new Set(["./", "./index.html", "./embed-example.html"]);
  for (const m of html.matchAll(/["'`=](\.\/[^"'`#?\s>]+)/g)) found.add(m[1]);
  return [...found];
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const res = await fetch("./index.html", { cache: "no-store" });
      const html = await res.clone().text();
      await cache.put("./index.html", res);
      await Promise.all(
        assetsOf(html).map((url) =>
          fetch(url, { cache: "no-store" })
            .then((r) => (r.ok ? cache.put(url, r) : undefined))
            .catch(() => undefined),
        ),
      );
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET" || !req.url.startsWith(SCOPE)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        if (res.ok) await cache.put(req, res.clone());
        return res;
      } catch (err) {
        // Offline: the cached copy; a page with a query (?embed=1…) is index.html.
        const hit =
          (await cache.match(req, { ignoreSearch: req.mode === "navigate" })) ||
          (req.mode === "navigate" ? await cache.match("./index.html") : undefined);
        if (hit) return hit;
        throw err;
      }
    })(),
  );
});

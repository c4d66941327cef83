// The service worker of an offline device's shell (the sampling station, the checkpoint
// device): keeps the shell so that it opens and reloads with no network. Rendered by
// wangge.core.offline.DeviceShell.service_worker, which fills in the deployed (hashed) URLs
// of the shell's files, a version that changes with them and the shell's cache prefix.
// API calls are never cached here: the page queues them in IndexedDB itself.
"use strict";

const CONFIG = JSON.parse("{{ config_json|escapejs }}");
const CACHE = CONFIG.cache_prefix + CONFIG.version;
const SHELL = CONFIG.shell;
const SHELL_PATHS = new Set(SHELL.map((url) => new URL(url, self.location.origin).pathname));
// A server that accepts the connection but does not answer must not hold the desk up.
const NETWORK_TIMEOUT_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(CONFIG.cache_prefix) && name !== CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function cacheable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected;
}

// Fresh from the server when it answers in time, from the cache otherwise.
async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  const network = fetch(request).then((response) => {
    if (cacheable(response)) cache.put(key, response.clone());
    return response;
  });
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS, null));
  try {
    const response = await Promise.race([network, timeout]);
    if (response) return response;
  } catch (_error) {
    // Offline or the server is down: the cached copy follows.
  }
  const cached = await cache.match(key, { ignoreSearch: true });
  if (cached) return cached;
  return network;
}

// From the cache at once; refreshed in the background for the next start.
async function staleWhileRevalidate(request, event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  const network = fetch(request)
    .then((response) => {
      if (cacheable(response)) cache.put(request, response.clone());
      return response;
    })
    .catch(() => null);
  if (cached) {
    event.waitUntil(network);
    return cached;
  }
  const response = await network;
  return response || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith(CONFIG.api_prefix)) return;
  if (url.pathname === CONFIG.app_url) {
    event.respondWith(networkFirst(request, CONFIG.app_url));
  } else if (url.pathname === CONFIG.catalog_url) {
    // The catalogue follows the chosen language: prefer the server's current one.
    event.respondWith(networkFirst(request, CONFIG.catalog_url));
  } else if (SHELL_PATHS.has(url.pathname)) {
    event.respondWith(staleWhileRevalidate(request, event));
  }
});

/// <reference lib="webworker" />
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { assetCacheName, isLargeAsset, verifiedFetch, type AssetManifest } from './pwa/asset-cache.ts';
import { notificationFor } from './pwa/push-message.ts';

declare const self: ServiceWorkerGlobalScope;

// The app shell: small, hashed, precached at install so the kiosk boots with the network gone.
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/health/, /^\/asset-manifest\.json/] }));

let manifest: Promise<AssetManifest | null> | null = null;

function loadManifest(): Promise<AssetManifest | null> {
  manifest ??= fetch('/asset-manifest.json', { cache: 'no-store' })
    .then(async (r) => (r.ok ? ((await r.json()) as AssetManifest) : null))
    .then(async (m) => {
      if (m) await (await caches.open('doorward-meta')).put('/asset-manifest.json', new Response(JSON.stringify(m)));
      return m;
    })
    .catch(async () => {
      // Offline: use the manifest this worker saw last, so cached weights still verify.
      const cached = await (await caches.open('doorward-meta')).match('/asset-manifest.json');
      return cached ? ((await cached.json()) as AssetManifest) : null;
    });
  return manifest;
}

/**
 * Assets are cached on first use (the vision worker fetches its runtime and weights at boot), not
 * all at install: a kiosk fetches only the wasm variant it runs, and an install does not stall
 * behind tens of megabytes. Old asset versions go once a new manifest is in force.
 */
async function dropOldAssetCaches(): Promise<void> {
  const m = await loadManifest();
  if (!m) return;
  for (const name of await caches.keys()) {
    if (name.startsWith('doorward-assets-') && name !== assetCacheName(m.version)) await caches.delete(name);
  }
}

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim().then(() => dropOldAssetCaches().catch((err) => console.warn('[sw] cleanup', err))));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !isLargeAsset(url.pathname)) return;
  event.respondWith(serveAsset(url.pathname));
});

async function serveAsset(path: string): Promise<Response> {
  const m = await loadManifest();
  const asset = m?.assets.find((a) => a.url === path);
  if (!m || !asset) return fetch(path);
  const cache = await caches.open(assetCacheName(m.version));
  const hit = await cache.match(path);
  if (hit) return hit;
  const result = await verifiedFetch(asset, fetch);
  if (!result.ok) {
    console.warn('[sw] asset refused', path, result.reason);
    return new Response(`asset refused: ${result.reason}`, { status: 502, statusText: 'Integrity check failed' });
  }
  await cache.put(path, result.response.clone());
  return result.response;
}

/** Fills the asset cache (runtime wasm, weights) so the next boot works offline; answers with the counts. */
async function warmAssets(): Promise<{ cached: number; failed: number }> {
  const m = await loadManifest();
  if (!m) return { cached: 0, failed: 0 };
  const cache = await caches.open(assetCacheName(m.version));
  let cached = 0;
  let failed = 0;
  for (const asset of m.assets) {
    if (await cache.match(asset.url)) {
      cached++;
      continue;
    }
    const result = await verifiedFetch(asset, fetch);
    if (result.ok) {
      await cache.put(asset.url, result.response);
      cached++;
    } else {
      console.warn('[sw] asset refused', asset.url, result.reason);
      failed++;
    }
  }
  return { cached, failed };
}

self.addEventListener('message', (event) => {
  const type = (event.data as { type?: string } | null)?.type;
  if (type === 'SKIP_WAITING') void self.skipWaiting();
  if (type === 'WARM_ASSETS') {
    event.waitUntil(warmAssets().then((counts) => event.source?.postMessage({ type: 'ASSETS_READY', ...counts })));
  }
});

// An alert from the site hub (Web Push) while the app is closed: shown at once, whatever the text.
self.addEventListener('push', (event) => {
  let data: string | null = null;
  try {
    data = event.data?.text() ?? null;
  } catch {
    data = null;
  }
  const n = notificationFor(data);
  event.waitUntil(self.registration.showNotification(n.title, n.options));
});

// Tapping it opens the phone side of the app (an open window of it is focused instead).
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data as { url?: string } | null)?.url ?? '/#/remote', self.location.origin);
  if (url.origin !== self.location.origin) return;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(async (windows) => {
      const open = windows.find((w) => new URL(w.url).hash.startsWith('#/remote'));
      if (open) await open.focus();
      else await self.clients.openWindow(url.href);
    }),
  );
});

import { expect, test } from '@playwright/test';

// The phone app closed, an alert from the site hub arrives: Chromium delivers a push message to
// the app's service worker (the DevTools protocol's ServiceWorker.deliverPushMessage, as a push
// service would after decrypting nothing: the browser hands the worker the plain text) and the
// worker shows the notification.
test("the service worker shows the hub's pushed alert, titled with the door, and a generic one for junk", async ({ page, context, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  await context.grantPermissions(['notifications'], { origin });
  const cdp = await context.newCDPSession(page);
  const registrations: string[] = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
    for (const r of e.registrations) if (!r.isDeleted && r.scopeURL.startsWith(origin)) registrations.push(r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  await page.goto('/#/remote');
  await page.waitForFunction(() => navigator.serviceWorker.ready.then(() => true));
  await expect.poll(() => registrations.length).toBeGreaterThan(0);
  const notifications = () =>
    page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction })));

  const message = { title: 'Back door: Door forced open', body: 'The door opened without a grant', tag: 'panel-2/forced', severity: 'critical', door: 'Back door', panelId: 'panel-2', at: Date.now() };
  await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: registrations.at(-1)!, data: JSON.stringify(message) });
  await expect.poll(notifications).toEqual([{ title: 'Back door: Door forced open', body: 'The door opened without a grant', tag: 'panel-2/forced', requireInteraction: true }]);

  await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: registrations.at(-1)!, data: '<script>not json' });
  await expect.poll(notifications).toContainEqual({ title: 'Doorward: an alert at a door', body: 'Open the app to see it.', tag: 'doorward-hub', requireInteraction: false });
});

import { expect, test, type BrowserContext, type Page } from '@playwright/test';

// The phone app closed, an alert from the site hub arrives: Chromium delivers a push message to
// the app's service worker (the DevTools protocol's ServiceWorker.deliverPushMessage, as a push
// service would after decrypting nothing: the browser hands the worker the plain text) and the
// worker shows the notification. One push per test: a fresh context each, so a message cannot
// land on a worker registration the previous one left behind.

async function pushTo(page: Page, context: BrowserContext, origin: string) {
  await context.grantPermissions(['notifications'], { origin });
  const cdp = await context.newCDPSession(page);
  const registrations: string[] = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
    for (const r of e.registrations) if (!r.isDeleted && r.scopeURL.startsWith(origin)) registrations.push(r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  await page.goto('/#/remote');
  await page.waitForFunction(() => navigator.serviceWorker.ready.then((r) => r.active?.state === 'activated'));
  await expect.poll(() => registrations.length).toBeGreaterThan(0);
  const notifications = () =>
    page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, requireInteraction: n.requireInteraction })));
  const deliver = (data: string) => cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId: registrations.at(-1)!, data });
  return { deliver, notifications };
}

test("the service worker shows the hub's pushed alert, titled with the door", async ({ page, context, baseURL }) => {
  const { deliver, notifications } = await pushTo(page, context, new URL(baseURL!).origin);
  const message = { title: 'Back door: Door forced open', body: 'The door opened without a grant', tag: 'panel-2/forced', severity: 'critical', door: 'Back door', panelId: 'panel-2', at: Date.now() };
  await deliver(JSON.stringify(message));
  await expect.poll(notifications).toEqual([{ title: 'Back door: Door forced open', body: 'The door opened without a grant', tag: 'panel-2/forced', requireInteraction: true }]);
});

test('a junk push is shown as the generic alert, never as its text', async ({ page, context, baseURL }) => {
  const { deliver, notifications } = await pushTo(page, context, new URL(baseURL!).origin);
  await deliver('<script>not json');
  await expect.poll(notifications).toEqual([{ title: 'Doorward: an alert at a door', body: 'Open the app to see it.', tag: 'doorward-hub', requireInteraction: false }]);
});

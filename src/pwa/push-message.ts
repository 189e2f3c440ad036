/**
 * A Web Push message from the site hub (hub/push.ts) as the service worker turns it into a
 * notification while the app is closed. The browser has decrypted it, but its text is still
 * checked: fields of the expected types and lengths, or the generic notification the hub's
 * tag and title cannot make misleading.
 */
export interface HubNotification {
  readonly title: string;
  readonly options: { readonly body: string; readonly tag: string; readonly requireInteraction: boolean; readonly timestamp?: number; readonly data: { readonly url: string } };
}

const text = (v: unknown, max: number): string | null => (typeof v === 'string' && v.length > 0 ? v.slice(0, max) : null);

export function notificationFor(data: string | null): HubNotification {
  let m: Record<string, unknown> = {};
  try {
    const v: unknown = data === null ? null : JSON.parse(data);
    if (v && typeof v === 'object' && !Array.isArray(v)) m = v as Record<string, unknown>;
  } catch {
    // Not JSON: the generic notification below.
  }
  const title = text(m.title, 120);
  const severity = m.severity === 'critical' || m.severity === 'warning' ? m.severity : 'info';
  const at = typeof m.at === 'number' && Number.isSafeInteger(m.at) && m.at > 0 ? m.at : undefined;
  return {
    title: title ?? 'Doorward: an alert at a door',
    options: {
      body: (title ? text(m.body, 300) : null) ?? 'Open the app to see it.',
      // Same door, same alert: a newer notification replaces the older one.
      tag: (title ? text(m.tag, 200) : null) ?? 'doorward-hub',
      requireInteraction: severity === 'critical',
      ...(at !== undefined ? { timestamp: at } : {}),
      data: { url: '/#/remote' },
    },
  };
}

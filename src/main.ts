import { mount } from 'svelte';
import App from './App.svelte';
import PhoneAdmin from './remote/ui/PhoneAdmin.svelte';
import { createPhone, createServices } from './services.ts';
import { startPanel } from './panel/panel-effects.svelte.ts';
import { phoneThemeFor, themeFor } from './kiosk/theme.ts';
import { whenOnlyPanel } from './platform/single-panel.ts';
import './app.css';

const params = new URLSearchParams(location.search);
const onPhone = location.hash.startsWith('#/remote');
// The kiosk goes dark with the hallway (by the hour); the phone with the phone's own setting.
const dark = matchMedia('(prefers-color-scheme: dark)');
const applyTheme = () => (document.documentElement.dataset.theme = onPhone ? phoneThemeFor(dark.matches, params.get('theme')) : themeFor(new Date().getHours(), params.get('theme')));
applyTheme();
if (onPhone) dark.addEventListener('change', applyTheme);
else setInterval(applyTheme, 60_000);

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

// #/remote is an admin's phone: it boots only the phone side (see createPhone). Its service
// worker is the one the kiosk has (the app shell offline, and the site hub's Web Push alerts
// while the app is closed); the phone never asks it to fetch the kiosk's models.
const registerPhoneWorker = () => {
  if ('serviceWorker' in navigator && !import.meta.env.DEV) navigator.serviceWorker.register('/sw.js', { type: 'module' }).catch((err: unknown) => console.warn('[sw]', err));
};
const boot = onPhone
  ? createPhone().then((doors) => {
      mount(PhoneAdmin, { target, props: { doors } });
      registerPhoneWorker();
    })
  : whenOnlyPanel(navigator.locks, () => {
      target.innerHTML = '<div class="boot-fault" data-testid="panel-elsewhere"><h1>Panel already open</h1><p>This door panel is running in another tab or window. This one takes over when that one closes.</p></div>';
    })
      .then(() => createServices())
      .then((services) => {
        target.replaceChildren();
        startPanel(services);
        mount(App, { target, props: { services } });
      });

boot
  .catch((err: unknown) => {
    // Without storage the panel cannot check anyone: say so on screen, the door stays locked.
    console.error('[boot]', err);
    target.innerHTML = '<div class="boot-fault"><h1>Panel fault</h1><p>Storage is unavailable. The door stays locked.</p></div>';
  });

import { mount } from 'svelte';
import App from './App.svelte';
import { createServices, startServices } from './services.ts';
import { themeFor } from './kiosk/theme.ts';
import './app.css';

const params = new URLSearchParams(location.search);
const applyTheme = () => (document.documentElement.dataset.theme = themeFor(new Date().getHours(), params.get('theme')));
applyTheme();
setInterval(applyTheme, 60_000);

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

createServices()
  .then((services) => {
    startServices(services);
    mount(App, { target, props: { services } });
  })
  .catch((err: unknown) => {
    // Without storage the panel cannot check anyone: say so on screen, the door stays locked.
    console.error('[boot]', err);
    target.innerHTML = '<div class="boot-fault"><h1>Panel fault</h1><p>Storage is unavailable. The door stays locked.</p></div>';
  });

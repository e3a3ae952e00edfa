import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

// Start-up marks, read by `make bench-tray` (P6) to say where a cold start's time goes in the
// page: since the process started, with the shell's own phases from its log.
performance.mark('modules evaluated');
const markVisible = () => {
  if (document.visibilityState !== 'visible') return;
  performance.mark('window visible');
  document.removeEventListener('visibilitychange', markVisible);
};
document.addEventListener('visibilitychange', markVisible);
markVisible();

const target = document.getElementById('app');
if (!target) throw new Error('#app mount point missing from index.html');

const params = new URLSearchParams(window.location.search);
if (import.meta.env.DEV && params.has('demo')) {
  // Dead code in production builds: Vite replaces import.meta.env.DEV with false.
  const { installDemoBackend } = await import('./dev/demo');
  installDemoBackend(params);
}

// Queued before the mount, this runs first after the script; the one queued after the mount
// runs once Svelte's first effects (onMount and the like) have run.
queueMicrotask(() => performance.mark('effects begin'));
const app = mount(App, { target });
performance.mark('shell mounted');
queueMicrotask(() => performance.mark('first effects done'));
export default app;

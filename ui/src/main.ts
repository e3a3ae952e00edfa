import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app mount point missing from index.html');

const params = new URLSearchParams(window.location.search);
if (import.meta.env.DEV && params.has('demo')) {
  // Dead code in production builds: Vite replaces import.meta.env.DEV with false.
  const { installDemoBackend } = await import('./dev/demo');
  installDemoBackend(params);
}

export default mount(App, { target });

import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

// Set by `tauri dev` when targeting a mobile device / remote host.
const host = process.env.TAURI_DEV_HOST;

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Keep Rust / Tauri CLI output visible.
  clearScreen: false,
  envPrefix: ['VITE_', 'TAURI_'],
  server: {
    port: 1420,
    strictPort: true,
    host: host || false,
    hmr: host ? { protocol: 'ws', host, port: 1421 } : undefined,
    watch: { ignored: ['**/src-tauri/**'] },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Tauri webviews: WebView2 (Chromium) on Windows, WebKit on macOS / Linux.
    target: ['es2022', 'chrome111', 'safari16'],
    sourcemap: Boolean(process.env.TAURI_ENV_DEBUG),
    // Profiling the webview (scripts/webkit-profile.py) reads the functions' own names.
    minify: process.env.TOKDECK_UI_UNMINIFIED ? false : undefined,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.ts'],
    restoreMocks: true,
    // Page tests render the whole app; with both cores busy (CI, parallel builds) one can take
    // several seconds. They wait for conditions, so a longer ceiling only matters on failure.
    testTimeout: 20_000,
  },
});

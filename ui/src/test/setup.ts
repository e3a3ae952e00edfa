import '@testing-library/jest-dom/vitest';

// The pages are chunks App imports on demand; loaded here first, so a test showing one
// does not wait for its module to compile (testing-library's waits are short).
import '../pages/AccountsPage.svelte';
import '../pages/AnalyticsPage.svelte';
import '../pages/CalendarPage.svelte';
import '../pages/ComposePage.svelte';
import '../pages/DraftsPage.svelte';
import '../pages/QueuePage.svelte';
import '../pages/SettingsPage.svelte';
import '../pages/TrashPage.svelte';

// jsdom has no ResizeObserver; `bind:clientHeight` (the calendar's sticky toolbar) needs one.
// Sizes are all zero in jsdom anyway, so an observer that never reports is faithful.
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// jsdom has no matchMedia; uPlot (the Analytics charts) asks it for the pixel ratio when it
// loads. No media query matches, as in a plain light window.
if (typeof window !== 'undefined' && typeof window.matchMedia !== 'function') {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener() {},
      removeEventListener() {},
      addListener() {},
      removeListener() {},
      dispatchEvent: () => false,
    }) as unknown as MediaQueryList;
}

import '@testing-library/jest-dom/vitest';

// jsdom has no ResizeObserver; `bind:clientHeight` (the calendar's sticky toolbar) needs one.
// Sizes are all zero in jsdom anyway, so an observer that never reports is faithful.
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

/**
 * uPlot, loaded when the first chart is about to be drawn (its own chunk: pages without charts
 * never pay for it, and a failure to load it can only cost the charts, never the app).
 */
import type uPlotType from 'uplot';

export type UPlot = typeof uPlotType;

let loading: Promise<UPlot> | null = null;

export function loadUplot(): Promise<UPlot> {
  if (!loading) {
    usableLanguage();
    loading = Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(
      ([m]) => m.default,
    );
  }
  return loading;
}

/**
 * uPlot formats numbers with `navigator.language` as it loads. Under a POSIX locale (LANG=C,
 * as on some servers and test machines) the webview reports "C", which is no language tag, and
 * `Intl` throws: the language the webview's `Intl` falls back to is used instead.
 */
function usableLanguage(): void {
  try {
    new Intl.NumberFormat(navigator.language);
  } catch {
    Object.defineProperty(navigator, 'language', {
      value: new Intl.NumberFormat().resolvedOptions().locale,
      configurable: true,
    });
  }
}

/**
 * The zones every time display needs: your computer's zone (the engine's answer, so the
 * Calendar, Queue and Compose agree), the engine's list of zones, and the few picked last
 * (kept by the engine in settings). Loaded once, on first use.
 */
import { commands as api } from '../../lib/bindings';
import { attempt, inTauri } from '../../lib/ipc';

function intlZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export class ZoneStore {
  /** Your computer's zone; the webview's until the engine answers. */
  yours = $state(intlZone());
  all = $state<string[]>([]);
  recent = $state<string[]>([]);
  #started = false;

  load(): void {
    if (this.#started || !inTauri()) return;
    this.#started = true;
    void attempt(api.systemTimeZone).then((r) => {
      if (r.ok) this.yours = r.value;
    });
    void attempt(api.listTimeZones).then((r) => {
      if (r.ok) this.all = r.value;
    });
    void attempt(api.recentTimeZones).then((r) => {
      if (r.ok) this.recent = r.value;
    });
  }

  /** Puts a picked zone first among the recent ones (the engine refuses unknown names). */
  async remember(zone: string): Promise<void> {
    this.recent = [zone, ...this.recent.filter((z) => z !== zone)].slice(0, 5);
    if (!inTauri()) return;
    const r = await attempt(() => api.rememberTimeZone(zone));
    if (r.ok) this.recent = r.value;
  }
}

export const zones = new ZoneStore();

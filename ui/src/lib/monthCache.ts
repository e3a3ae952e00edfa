/**
 * The calendar's months already loaded, and the two next to the month shown, fetched ahead:
 * pressing Next or Previous then draws the month at once, without waiting for the engine
 * (its answer was most of a busy month's render). The page asks again all the same and
 * redraws only if the answer differs (what `set` answers): a post changed by another process
 * (a backup restored) shows a moment later, never not at all. Any change of a post made here
 * clears it all (the page's `postsChanged`), and an entry is used for a minute at most. The
 * same posts asked again keep the same object (`set`): the page keeps a month drawn while its
 * list is the same object (`monthStage`).
 */
import type { CalendarRange } from './bindings';

export const MONTH_CACHE_MAX_AGE_MS = 60_000;

export class MonthCache {
  #entries = new Map<string, { at: number; gen: number; range: CalendarRange; json: string }>();
  #generation = 0;
  #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** What a month's posts depend on: the month, the zone shown in, the account filter. */
  static key(year: number, month: number, zone: string, accountId: number | null): string {
    return `${year}-${month}|${zone}|${accountId ?? ''}`;
  }

  /** The year and month `step` months from `year`-`month` (1–12). */
  static step(year: number, month: number, step: number): [number, number] {
    const d = new Date(Date.UTC(year, month - 1 + step, 1));
    return [d.getUTCFullYear(), d.getUTCMonth() + 1];
  }

  /** Changes at every `clear`: an answer asked for before it is not kept. */
  get generation(): number {
    return this.#generation;
  }

  get(key: string): CalendarRange | null {
    const e = this.#entries.get(key);
    if (!e || e.gen !== this.#generation || this.#now() - e.at > MONTH_CACHE_MAX_AGE_MS) {
      return null;
    }
    return e.range;
  }

  has(key: string): boolean {
    return this.get(key) !== null;
  }

  /** Keeps `range` unless the cache was cleared since it was asked for (`generation`). The
   * same posts as kept before (even before a `clear`, or expired) keep the object kept.
   * Answers whether they were the same (false when not kept). */
  set(key: string, range: CalendarRange, generation: number): boolean {
    if (generation !== this.#generation) return false;
    const json = JSON.stringify(range);
    const old = this.#entries.get(key);
    const same = old?.json === json;
    this.#entries.set(key, {
      at: this.#now(),
      gen: generation,
      range: same ? old.range : range,
      json,
    });
    return same;
  }

  /** Nothing kept is used any more; what is kept a minute at most stays, for `set`'s sake. */
  clear(): void {
    const now = this.#now();
    for (const [key, e] of this.#entries) {
      if (now - e.at > MONTH_CACHE_MAX_AGE_MS) this.#entries.delete(key);
    }
    this.#generation++;
  }
}

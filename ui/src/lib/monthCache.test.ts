import { describe, expect, it } from 'vitest';
import type { CalendarRange } from './bindings';
import { MONTH_CACHE_MAX_AGE_MS, MonthCache } from './monthCache';

const range = (zone: string): CalendarRange =>
  ({ zone, start: '', end: '', items: [], days: [] }) as unknown as CalendarRange;

describe('MonthCache', () => {
  it('keys a month by its zone and account filter, and steps across years', () => {
    expect(MonthCache.key(2026, 3, 'UTC', null)).not.toBe(MonthCache.key(2026, 3, 'UTC', 1));
    expect(MonthCache.key(2026, 3, 'UTC', null)).not.toBe(
      MonthCache.key(2026, 3, 'Europe/Paris', null),
    );
    expect(MonthCache.step(2026, 12, 1)).toEqual([2027, 1]);
    expect(MonthCache.step(2026, 1, -1)).toEqual([2025, 12]);
  });

  it('forgets everything on clear, drops answers asked for before it, and ages entries out', () => {
    let now = 0;
    const cache = new MonthCache(() => now);
    const k = MonthCache.key(2026, 3, 'UTC', null);
    const asked = cache.generation;
    cache.set(k, range('UTC'), asked);
    expect(cache.get(k)?.zone).toBe('UTC');
    cache.clear();
    expect(cache.has(k)).toBe(false);
    // An answer to a question asked before the clear may already be out of date.
    cache.set(k, range('UTC'), asked);
    expect(cache.has(k)).toBe(false);
    cache.set(k, range('UTC'), cache.generation);
    expect(cache.set(k, range('UTC'), cache.generation)).toBe(true);
    expect(cache.set(k, range('Europe/Paris'), cache.generation)).toBe(false);
    now = MONTH_CACHE_MAX_AGE_MS + 1;
    expect(cache.has(k)).toBe(false);
  });

  it('keeps the object it has for the same posts, even after a clear or once expired', () => {
    let now = 0;
    const cache = new MonthCache(() => now);
    const k = MonthCache.key(2026, 3, 'UTC', null);
    const first = range('UTC');
    cache.set(k, first, cache.generation);
    cache.set(k, range('UTC'), cache.generation);
    expect(cache.get(k)).toBe(first);
    cache.clear();
    cache.set(k, range('UTC'), cache.generation);
    expect(cache.get(k)).toBe(first);
    now = MONTH_CACHE_MAX_AGE_MS + 1;
    expect(cache.get(k)).toBeNull();
    cache.set(k, range('UTC'), cache.generation);
    expect(cache.get(k)).toBe(first);
    // Other posts: the new answer.
    const other = range('Europe/Paris');
    cache.set(k, other, cache.generation);
    expect(cache.get(k)).toBe(other);
  });
});

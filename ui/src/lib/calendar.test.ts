import { describe, expect, it } from 'vitest';
import { daysInMonth, localDateKey, monthGrid, resolveWeekStart, weekStartFor } from './calendar';

const days = (weeks: ReturnType<typeof monthGrid>) => weeks.flat().filter((c) => c !== null);

describe('monthGrid', () => {
  it.each([
    [new Date(2024, 1, 10), 29], // leap February
    [new Date(2023, 1, 10), 28],
    [new Date(2025, 3, 30), 30],
    [new Date(2025, 11, 31), 31],
  ])('%s has %i days', (today, count) => {
    expect(daysInMonth(today.getFullYear(), today.getMonth())).toBe(count);
    const cells = days(monthGrid(today));
    expect(cells).toHaveLength(count);
    expect(cells.map((c) => c.day)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  });

  it('marks exactly today', () => {
    const today = new Date(2024, 1, 14, 23, 59);
    const marked = days(monthGrid(today)).filter((c) => c.isToday);
    expect(marked.map((c) => c.key)).toEqual(['2024-02-14']);
  });

  it('pads the first week according to the week start', () => {
    // 1 Feb 2024 was a Thursday.
    const monday = monthGrid(new Date(2024, 1, 1), 1);
    expect(monday[0].indexOf(monday[0].find((c) => c !== null)!)).toBe(3);
    const sunday = monthGrid(new Date(2024, 1, 1), 0);
    expect(sunday[0].findIndex((c) => c !== null)).toBe(4);
    for (const weeks of [monday, sunday]) for (const w of weeks) expect(w).toHaveLength(7);
  });

  it('uses local dates, not UTC', () => {
    expect(localDateKey(new Date(2024, 0, 1, 0, 30))).toBe('2024-01-01');
  });
});

describe('resolveWeekStart', () => {
  it('takes the setting, or the locale for Automatic and before the settings load', () => {
    expect(resolveWeekStart('monday')).toBe(1);
    expect(resolveWeekStart('sunday')).toBe(0);
    expect(resolveWeekStart('saturday')).toBe(6);
    expect(resolveWeekStart('auto', 'en-US')).toBe(weekStartFor('en-US'));
    expect(resolveWeekStart(null, 'de-DE')).toBe(weekStartFor('de-DE'));
    expect(resolveWeekStart(undefined)).toBe(weekStartFor());
  });
});

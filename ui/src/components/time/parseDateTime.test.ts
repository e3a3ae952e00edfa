import { describe, expect, it } from 'vitest';
import { localeDateOrder, parseDateTime, type DateOrder } from './parseDateTime';

const TODAY = '2026-12-02'; // a Wednesday

function read(text: string, order: DateOrder = 'dmy') {
  const r = parseDateTime(text, TODAY, order);
  return r.ok ? `${r.value.date ?? '-'} ${r.value.time ?? '-'}` : 'error';
}

describe('parseDateTime', () => {
  it.each([
    ['2 Dec 2026 09:00', '2026-12-02 09:00'],
    ['2026-12-02 9am', '2026-12-02 09:00'],
    ['Dec 2, 2026 9:30 pm', '2026-12-02 21:30'],
    ['december 3rd 18:00', '2026-12-03 18:00'],
    ['tomorrow 18:00', '2026-12-03 18:00'],
    ['today noon', '2026-12-02 12:00'],
    ['fri 7pm', '2026-12-04 19:00'],
    ['next mon 08:15', '2026-12-14 08:15'],
    ['2 Dec 2026', '2026-12-02 -'],
    ['18:00', '- 18:00'],
    ['21h', '- 21:00'],
    ['2 dec 9.30', '2026-12-02 09:30'],
    // No year: the next time that date comes.
    ['1 Dec', '2027-12-01 -'],
    ['5 jan 10:00', '2027-01-05 10:00'],
  ])('%s → %s', (text, want) => {
    expect(read(text)).toBe(want);
  });

  it('reads digits only in the locale order', () => {
    expect(read('12022026 0900', 'mdy')).toBe('2026-12-02 09:00');
    expect(read('12022026 0900', 'dmy')).toBe('2026-02-12 09:00');
    expect(read('20261202', 'dmy')).toBe('2026-12-02 -');
    expect(read('20261202 1830', 'ymd')).toBe('2026-12-02 18:30');
    expect(read('021226', 'dmy')).toBe('2026-12-02 -');
    expect(read('12/02/2026 9am', 'mdy')).toBe('2026-12-02 09:00');
    expect(read('2.12.2026 21:00', 'dmy')).toBe('2026-12-02 21:00');
    expect(read('4/12', 'dmy')).toBe('2026-12-04 -');
  });

  it('says what it could not read instead of guessing', () => {
    expect(read('31 Feb 2027')).toBe('error');
    expect(read('13132026')).toBe('error');
    expect(read('25:00')).toBe('error');
    expect(read('soon')).toBe('error');
    const r = parseDateTime('banana', TODAY, 'dmy');
    expect(!r.ok && r.message).toContain('Try 2 Dec 2026 09:00');
    expect(read('')).toBe('- -');
  });

  it('knows the locale order', () => {
    expect(localeDateOrder('en-US')).toBe('mdy');
    expect(localeDateOrder('en-GB')).toBe('dmy');
    expect(localeDateOrder('sv-SE')).toBe('ymd');
  });
});

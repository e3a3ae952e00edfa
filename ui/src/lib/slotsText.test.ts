import { describe, expect, it } from 'vitest';
import {
  capUse,
  createdText,
  daysLabel,
  freeSlotText,
  freeSlotTitle,
  groupSlots,
  minutesProblem,
  minutesText,
  normalTime,
  parseSettings,
  signInText,
} from './slotsText';

describe('posting slots in words', () => {
  it('groups slots by time, earliest first, days in week order', () => {
    const groups = groupSlots([
      { id: 3, weekday: 4, time: '18:00' },
      { id: 1, weekday: 2, time: '09:00' },
      { id: 2, weekday: 0, time: '09:00' },
    ]);
    expect(groups).toEqual([
      {
        time: '09:00',
        days: [
          { weekday: 0, id: 2 },
          { weekday: 2, id: 1 },
        ],
      },
      { time: '18:00', days: [{ weekday: 4, id: 3 }] },
    ]);
  });

  it('names the usual day sets', () => {
    expect(daysLabel([0, 1, 2, 3, 4, 5, 6])).toBe('Every day');
    expect(daysLabel([4, 3, 2, 1, 0])).toBe('Weekdays');
    expect(daysLabel([5, 6])).toBe('Weekends');
    expect(daysLabel([1])).toBe('Tuesday');
    expect(daysLabel([0, 1, 2])).toBe('Mon–Wed');
    expect(daysLabel([0, 2, 4])).toBe('Mon, Wed, Fri');
  });

  it('takes times of day as HH:MM and refuses others', () => {
    expect(normalTime('9:05')).toBe('09:05');
    expect(normalTime('18:30')).toBe('18:30');
    expect(normalTime('24:00')).toBeNull();
    expect(normalTime('9')).toBeNull();
  });

  it('shows a free slot as weekday and time in its zone', () => {
    const slot = { at: '', atMs: 0, local: '2026-12-08T09:00', zone: 'Europe/London' };
    expect(freeSlotText(slot)).toBe('Tue 09:00');
    expect(freeSlotTitle(slot)).toBe('Tuesday 8 December 2026, 09:00 (Europe/London)');
  });
});

describe('planning settings', () => {
  it('explains a wrong gap in plain words', () => {
    expect(minutesProblem('', 'gap')).toMatch(/Enter the gap/);
    expect(minutesProblem('-5', 'gap')).toMatch(/0 or more/);
    expect(minutesProblem('1.5', 'gap')).toMatch(/whole number/);
    expect(minutesProblem('20000', 'stagger')).toMatch(/at most a week/);
    expect(minutesProblem('0', 'gap')).toBeNull();
  });

  it('parses only valid settings', () => {
    expect(parseSettings('60', '30')).toEqual({ minGapMinutes: 60, staggerMinutes: 30 });
    expect(parseSettings('x', '30')).toBeNull();
  });

  it('writes minutes as hours and minutes', () => {
    expect(minutesText(0)).toBe('none');
    expect(minutesText(45)).toBe('45 min');
    expect(minutesText(120)).toBe('2 h');
    expect(minutesText(90)).toBe('1 h 30 min');
  });
});

describe('budget', () => {
  it('colours a cap by how full it is', () => {
    expect(capUse(3, 15)).toEqual({ ratio: 0.2, tone: 'ok' });
    expect(capUse(12, 15).tone).toBe('near');
    expect(capUse(15, 15)).toEqual({ ratio: 1, tone: 'full' });
    expect(capUse(20, 15).ratio).toBe(1);
  });

  it('says how long the sign-in lasts', () => {
    expect(signInText(null)).toBeNull();
    expect(signInText(0)).toBe('Sign-in has expired');
    expect(signInText(1)).toBe('Sign-in: 1 day left');
    expect(signInText(42)).toBe('Sign-in: 42 days left');
  });

  it('counts the imported posts', () => {
    expect(createdText(1)).toBe('1 post scheduled');
    expect(createdText(12)).toBe('12 posts scheduled');
  });
});

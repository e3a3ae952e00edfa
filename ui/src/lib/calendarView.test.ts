import { describe, expect, it } from 'vitest';
import type { CalendarItem } from './posts';
import { droppedLocal, groupByDay, inHour, movedAnchor, weekDaysOf } from './calendarView';

const item = (id: number, local: string) => ({ id, local }) as CalendarItem;

describe('calendar view rules', () => {
  it('groups posts per day, each day by time', () => {
    const byDay = groupByDay([
      item(1, '2030-05-02T10:00'),
      item(2, '2030-05-01T18:30'),
      item(3, '2030-05-01T08:15'),
    ]);
    expect(Object.keys(byDay).sort()).toEqual(['2030-05-01', '2030-05-02']);
    expect(byDay['2030-05-01'].map((i) => i.id)).toEqual([3, 2]);
  });

  it('picks the posts of one hour', () => {
    const day = [
      item(1, '2030-05-01T08:15'),
      item(2, '2030-05-01T08:59'),
      item(3, '2030-05-01T09:00'),
    ];
    expect(inHour(day, 8).map((i) => i.id)).toEqual([1, 2]);
    expect(inHour(undefined, 8)).toEqual([]);
  });

  it('lists the Monday-based week of a day', () => {
    expect(weekDaysOf('2030-05-01')).toEqual([
      '2030-04-29',
      '2030-04-30',
      '2030-05-01',
      '2030-05-02',
      '2030-05-03',
      '2030-05-04',
      '2030-05-05',
    ]);
  });

  it('moves by weeks (to a Monday) or months (to the 1st)', () => {
    expect(movedAnchor('week', '2030-05-01', 1)).toBe('2030-05-06');
    expect(movedAnchor('week', '2030-05-01', -1)).toBe('2030-04-22');
    expect(movedAnchor('month', '2030-05-17', 1)).toBe('2030-06-01');
    expect(movedAnchor('month', '2030-01-31', -1)).toBe('2029-12-01');
  });

  it('keeps the time on a day drop and the minutes on an hour drop', () => {
    expect(droppedLocal('2030-05-01T09:45', { date: '2030-05-03', hour: null })).toBe(
      '2030-05-03T09:45',
    );
    expect(droppedLocal('2030-05-01T09:45', { date: '2030-05-03', hour: 7 })).toBe(
      '2030-05-03T07:45',
    );
  });
});

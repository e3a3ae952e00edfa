import { describe, expect, it } from 'vitest';
import type { CalendarItem } from './posts';
import {
  agendaDays,
  chipStatus,
  dayChips,
  droppedLocal,
  groupByDay,
  inHour,
  movedAnchor,
  nowLine,
  weekDaysOf,
  weekStartOf,
} from './calendarView';

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

describe('calendar view rules for a busy month', () => {
  it('lists the week from the day the setting says', () => {
    // 1 May 2030 is a Wednesday.
    expect(weekDaysOf('2030-05-01', 0)[0]).toBe('2030-04-28');
    expect(weekDaysOf('2030-05-01', 6)[0]).toBe('2030-04-27');
    expect(weekDaysOf('2030-05-04', 6)).toEqual([
      '2030-05-04',
      '2030-05-05',
      '2030-05-06',
      '2030-05-07',
      '2030-05-08',
      '2030-05-09',
      '2030-05-10',
    ]);
    expect(weekStartOf('2030-05-05', 0)).toBe('2030-05-05');
    expect(movedAnchor('week', '2030-05-01', 1, 0)).toBe('2030-05-05');
    expect(movedAnchor('agenda', '2030-05-17', 1)).toBe('2030-06-01');
  });

  it('shows a few chips, then how many more; a day of exactly the few shows them all', () => {
    const day = [1, 2, 3, 4, 5].map((i) => item(i, `2030-05-01T0${i}:00`));
    expect(dayChips(day.slice(0, 3), 3)).toEqual({ shown: day.slice(0, 3), more: 0 });
    // The engine lists five of sixteen: two chips and "+14 more".
    const busy = dayChips(day, 16);
    expect(busy.shown.map((i) => i.id)).toEqual([1, 2]);
    expect(busy.more).toBe(14);
    expect(dayChips(undefined, undefined)).toEqual({ shown: [], more: 0 });
    // Counts missing (an older answer): what is listed counts.
    expect(dayChips(day, undefined).more).toBe(3);
  });

  it('says each state with its own icon, and what needs the creator stands out', () => {
    const st = (status: CalendarItem['status'], extra: Partial<CalendarItem> = {}) =>
      chipStatus({ status, paused: false, needsAttention: false, ...extra });
    expect(st('scheduled')).toMatchObject({ icon: 'clock', tone: 'quiet', label: 'Scheduled' });
    expect(st('needs_attention')).toMatchObject({ icon: 'alert', tone: 'warn' });
    expect(st('scheduled', { needsAttention: true }).label).toBe('Needs attention');
    expect(st('failed')).toMatchObject({ icon: 'close', tone: 'danger', label: 'Failed' });
    expect(st('missed')).toMatchObject({ icon: 'missed', tone: 'danger', label: 'Missed' });
    expect(st('scheduled', { paused: true })).toMatchObject({ icon: 'pause', tone: 'paused' });
    expect(st('published')).toMatchObject({ icon: 'check', tone: 'ok' });
    const loud = ['needs_attention', 'failed', 'missed'] as const;
    const icons = new Set([...loud.map((s) => st(s).icon), st('scheduled', { paused: true }).icon]);
    expect(icons.size).toBe(4);
  });

  it('groups the agenda by day from a first day on, in order', () => {
    const days = agendaDays(
      [
        item(1, '2030-05-03T10:00'),
        item(2, '2030-05-01T18:30'),
        item(3, '2030-05-03T08:15'),
        item(4, '2030-04-30T08:15'),
      ],
      '2030-05-01',
    );
    expect(days.map((d) => d.date)).toEqual(['2030-05-01', '2030-05-03']);
    expect(days[1].items.map((i) => i.id)).toEqual([3, 1]);
  });

  it('puts the now line on today at the share of the day gone', () => {
    expect(nowLine('2030-05-01T12:00')).toEqual({ date: '2030-05-01', hour: 12, fraction: 0.5 });
    expect(nowLine('2030-05-01T06:45').hour).toBe(6);
  });
});

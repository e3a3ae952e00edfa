import { cleanup, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { weekdayNames, weekStartFor } from '../../lib/calendar';
import MiniCalendarWithApp from '../../test/MiniCalendarWithApp.svelte';
import MiniCalendar from './MiniCalendar.svelte';

const firstColumn = () => screen.getAllByRole('columnheader')[0].textContent;
/** 1 December 2026 is a Tuesday: its column in a week starting on `start` (0 = Sunday). */
const firstDayColumn = () => {
  const cells = [
    ...document.querySelectorAll('[data-testid="date-calendar"] tbody tr'),
  ][0].querySelectorAll('td');
  return [...cells].findIndex((td) => td.querySelector('[data-day="2026-12-01"]'));
};

describe('MiniCalendar', () => {
  afterEach(cleanup);

  it.each([
    ['sunday', 0, 2],
    ['saturday', 6, 3],
    ['monday', 1, 1],
  ] as const)('starts its weeks on %s as the setting says', (weekStart, day, column) => {
    render(MiniCalendarWithApp, { props: { weekStart } });
    expect(firstColumn()).toBe(weekdayNames(day, undefined, 'short')[0].slice(0, 2));
    expect(firstDayColumn()).toBe(column);
  });

  it('follows the locale on its own (no settings)', () => {
    render(MiniCalendar, {
      props: { value: '2026-12-10', min: '2026-12-02', onpick: () => {}, onclose: () => {} },
    });
    expect(firstColumn()).toBe(weekdayNames(weekStartFor(), undefined, 'short')[0].slice(0, 2));
  });
});

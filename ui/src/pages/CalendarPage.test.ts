import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import CalendarPage from './CalendarPage.svelte';

describe('CalendarPage', () => {
  it.each([
    [new Date(2024, 1, 14), 29, '2024-02-14'],
    [new Date(2023, 1, 1), 28, '2023-02-01'],
    [new Date(2025, 0, 31), 31, '2025-01-31'],
    [new Date(2025, 8, 30), 30, '2025-09-30'],
  ])('renders every day of the month of %s and marks today', (now, count, todayKey) => {
    render(CalendarPage, { now, weekStartsOn: 1 });
    const days = screen.getAllByTestId('calendar-day');
    expect(days).toHaveLength(count);
    expect(days.map((d) => Number(d.querySelector('.num')?.textContent))).toEqual(
      Array.from({ length: count }, (_, i) => i + 1),
    );
    const marked = days.filter((d) => d.getAttribute('aria-current') === 'date');
    expect(marked).toHaveLength(1);
    expect(marked[0]).toHaveAttribute('data-date', todayKey);
    expect(marked[0]).toHaveClass('today');
  });

  it('lays the month out in full weeks starting on the given weekday', () => {
    // 1 Feb 2024 was a Thursday: three padding cells before it when weeks start on Monday.
    render(CalendarPage, { now: new Date(2024, 1, 14), weekStartsOn: 1 });
    const rows = screen.getAllByRole('row').slice(1); // skip weekday header
    expect(rows).toHaveLength(5);
    const first = rows[0].querySelectorAll('td');
    expect(first).toHaveLength(7);
    expect([...first].findIndex((td) => td.dataset.testid === 'calendar-day')).toBe(3);
    expect(screen.getAllByRole('columnheader')).toHaveLength(7);
  });
});

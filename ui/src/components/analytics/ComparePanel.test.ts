import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import type { AccountSeries, SnapshotPoint } from '../../lib/bindings';
import { makeAccount } from '../../test/fixtures';
import ComparePanel from './ComparePanel.svelte';

// jsdom has no canvas: the chart draws into a context and paths that accept anything (these
// tests read the table).
const ctx: object = new Proxy(
  {},
  {
    get: (_t, key) =>
      key === 'measureText' ? () => ({ width: 10 }) : key === 'canvas' ? undefined : () => ctx,
    set: () => true,
  },
);
beforeEach(() => {
  vi.stubGlobal(
    'Path2D',
    class {
      constructor() {
        return new Proxy(this, { get: () => () => {} });
      }
    },
  );
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(
    ctx as CanvasRenderingContext2D,
  );
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const DAY = 86_400_000;
const END = Date.parse('2026-12-01T12:00:00Z');

/** 31 daily counts ending on END: followers and likes each grow by a steady step a day. */
function series(accountId: number, followersPerDay: number, likesPerDay: number): AccountSeries {
  const points: SnapshotPoint[] = Array.from({ length: 31 }, (_, i) => ({
    takenAt: new Date(END - (30 - i) * DAY).toISOString(),
    followerCount: 1_000 + i * followersPerDay,
    followingCount: 10,
    likesCount: 5_000 + i * likesPerDay,
    videoCount: 3,
  }));
  return { accountId, points, gaps: [] };
}

const ACCOUNTS = [
  makeAccount({ id: 1, username: 'slow.followers' }),
  makeAccount({ id: 2, username: 'fast.followers' }),
  makeAccount({ id: 3, username: 'middle' }),
];
// Followers: 2 grows fastest, then 3, then 1. Likes: 1 fastest, then 3, then 2.
const SERIES = [series(1, 1, 30), series(2, 9, 2), series(3, 5, 10)];

/** The table's rows as their cells' text, in the order shown. */
function rows(): string[][] {
  const table = screen.getByRole('table', { name: 'Changes per account' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((r) =>
      [...r.querySelectorAll('[role=rowheader], [role=cell]')].map(
        (c) => c.textContent?.trim() ?? '',
      ),
    );
}

describe('ComparePanel', () => {
  it('lists every account as a table row, the fastest growing this month first', () => {
    render(ComparePanel, { series: SERIES, accounts: ACCOUNTS });
    const table = screen.getByRole('table', { name: 'Changes per account' });
    const head = [...table.querySelectorAll('[role=columnheader]')].map((c) => c.textContent);
    expect(head).toEqual(['Account', 'Followers', 'Last day', 'Last week', 'Last month']);
    expect(table.getAttribute('aria-rowcount')).toBe('4');
    expect(rows()).toEqual([
      ['@fast.followers', '1.2K', '+9', '+63', '+270'],
      ['@middle', '1.1K', '+5', '+35', '+150'],
      ['@slow.followers', '1K', '+1', '+7', '+30'],
    ]);
  });

  it('re-sorts the rows in place for the other metric, each row keeping its own numbers', async () => {
    render(ComparePanel, { series: SERIES, accounts: ACCOUNTS });
    const before = screen.getAllByTestId('analytics-compare-row');
    await userEvent.click(screen.getByTestId('analytics-compare-metric-likes'));
    expect(document.querySelectorAll('[role=columnheader]')[1].textContent).toBe('Likes');
    expect(rows()).toEqual([
      ['@slow.followers', '5.9K', '+30', '+210', '+900'],
      ['@middle', '5.3K', '+10', '+70', '+300'],
      ['@fast.followers', '5K', '+2', '+14', '+60'],
    ]);
    // The same row elements, rewritten rather than moved (see the component's comment).
    expect(screen.getAllByTestId('analytics-compare-row')).toEqual(before);
    // Each row's colour dot follows its account.
    const dots = before.map((r) => (r.querySelector('.dot') as HTMLElement).style.background);
    expect(new Set(dots).size).toBe(3);
  });
});

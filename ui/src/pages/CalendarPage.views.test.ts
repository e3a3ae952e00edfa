// The calendar's week (now line, first day from the setting), agenda and the Week starts on
// setting through the whole app.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import { dispatchPostEvent } from '../lib/posts';
import { toasts } from '../lib/toasts.svelte';
import { makeAccount, makeItem, mockBackend } from '../test/backend';
import { openAccounts, resetAppBetweenTests } from '../test/pages';
import CalendarPage from './CalendarPage.svelte';

const ZONE = 'America/New_York';
// 14:20 in New York on Tuesday 10 March 2026.
const NOW = new Date('2026-03-10T18:20:00Z');

describe('CalendarPage week and agenda', () => {
  afterEach(() => {
    cleanup();
    clearMocks();
    toasts.clear();
  });

  function setup(weekStartsOn = 1) {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 }), makeAccount({ id: 2 })],
      items: [
        { id: 1, local: '2026-03-10T09:30', caption: 'Morning dance' },
        { id: 2, accountId: 2, local: '2026-03-10T18:00', caption: 'Evening vlog' },
        {
          id: 3,
          local: '2026-03-12T07:15',
          caption: 'Paris time',
          scheduledAt: '2026-03-12T11:15:00Z',
          postZone: 'Europe/Paris',
          postLocal: '2026-03-12T12:15',
        },
        { id: 4, local: '2026-03-09T07:15', caption: 'Yesterday' },
        { id: 5, local: '2026-04-02T10:00', caption: 'April' },
      ].map((i) =>
        // New York is at UTC-4 from 8 March 2026.
        makeItem({
          postZone: ZONE,
          postLocal: i.local,
          scheduledAt: new Date(Date.parse(`${i.local}:00Z`) + 4 * 3_600_000).toISOString(),
          ...i,
        }),
      ),
    });
    render(CalendarPage, { now: NOW, weekStartsOn, zone: ZONE });
    return { backend, user: userEvent.setup() };
  }

  it('draws the next month at once from what it asked ahead, then as the engine says now', async () => {
    const { backend } = setup();
    const april = () =>
      document.querySelectorAll(
        '[data-testid="calendar-month-view"][data-period="2026-04"] [data-testid="calendar-post"]',
      );
    // March shown, April and February asked for ahead.
    await waitFor(() =>
      expect(backend.calls('calendar_month').map((c) => (c as { month: number }).month)).toEqual(
        expect.arrayContaining([3, 4, 2]),
      ),
    );
    await new Promise((r) => setTimeout(r, 0));
    // Another process adds a post to April (no event): Next draws April as it was asked for,
    // in the same update as its days, and then as the engine answers now.
    backend.items.push(
      makeItem({ id: 6, local: '2026-04-03T10:00', caption: 'Added elsewhere', postZone: ZONE }),
    );
    const asked = backend.calls('calendar_month').length;
    await fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(april()).toHaveLength(1);
    await waitFor(() => expect(april()).toHaveLength(2));
    expect(backend.calls('calendar_month').slice(asked)).toContainEqual(
      expect.objectContaining({ year: 2026, month: 4 }),
    );
  });

  it('keeps the months next to it drawn out of sight, shows that grid itself, never stale', async () => {
    const { backend } = setup();
    const drawn = (period: string) =>
      document.querySelector<HTMLElement>(
        `[data-testid="calendar-month-drawn"][data-period="${period}"]`,
      );
    await waitFor(() => expect(drawn('2026-04')).not.toBeNull());
    const april = drawn('2026-04')!;
    // Drawn with its post, out of sight and without test ids: the month shown answers alone.
    expect(within(april).getByText('April')).toBeTruthy();
    expect(april.querySelector('[data-testid]')).toBeNull();
    expect(april.closest('.away')).not.toBeNull();
    expect(screen.getAllByTestId('calendar-month-view')).toHaveLength(1);
    await fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByTestId('calendar-month-view')).toBe(april);
    expect(april.closest('.away')).toBeNull();
    expect(within(april).getAllByTestId('calendar-post')).toHaveLength(1);
    // March is kept drawn in turn. Posts change: the March drawn before is never shown.
    await waitFor(() => expect(drawn('2026-03')).not.toBeNull());
    backend.items.push(
      makeItem({ id: 7, local: '2026-03-20T10:00', caption: 'New in March', postZone: ZONE }),
    );
    const asked = backend.calls('calendar_month').length;
    dispatchPostEvent({ kind: 'postsChanged', postId: 7, accountId: 1 });
    // The page heard it (it asks for April again).
    await waitFor(() => expect(backend.calls('calendar_month').length).toBeGreaterThan(asked));
    await fireEvent.click(screen.getByRole('button', { name: 'Previous' }));
    const march = screen.getByTestId('calendar-month-view');
    const loaded = march.dataset.period === '2026-03';
    expect(!loaded || within(march).queryByText('New in March') !== null).toBe(true);
    await waitFor(() => expect(within(march).getByText('New in March')).toBeTruthy());
  });

  it('starts the week on the given day and draws now on today', async () => {
    const { backend, user } = setup(0);
    await user.click(await screen.findByTestId('calendar-toggle-week'));
    const days = await screen.findAllByTestId('calendar-week-day');
    // Sunday 8 March to Saturday 14 March.
    expect(days.map((d) => d.dataset.date)).toEqual([
      '2026-03-08',
      '2026-03-09',
      '2026-03-10',
      '2026-03-11',
      '2026-03-12',
      '2026-03-13',
      '2026-03-14',
    ]);
    await waitFor(() =>
      expect(backend.calls('calendar_days')).toContainEqual({
        from: '2026-03-08',
        days: 7,
        zone: ZONE,
        accountId: null,
      }),
    );
    const line = screen.getByTestId('calendar-now-line');
    const slot = line.closest<HTMLElement>('[data-testid="calendar-slot"]')!;
    expect(slot.dataset).toMatchObject({ date: '2026-03-10', hour: '14' });
    expect(line.style.top).toBe(`${(20 / 60) * 100}%`);
    expect(screen.getAllByTestId('calendar-now-line')).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() =>
      expect(screen.getAllByTestId('calendar-week-day')[0]).toHaveAttribute(
        'data-date',
        '2026-03-15',
      ),
    );
    expect(screen.queryByTestId('calendar-now-line')).toBeNull();
  });

  it('lists what is coming this month by day, times by the rule, every row reachable by keyboard', async () => {
    const { backend, user } = setup();
    await user.click(await screen.findByTestId('calendar-toggle-agenda'));
    await waitFor(() =>
      expect(screen.getAllByTestId('calendar-agenda-day').map((d) => d.dataset.date)).toEqual([
        '2026-03-10',
        '2026-03-12',
      ]),
    );
    // From today to the end of March.
    expect(backend.calls('calendar_days').at(-1)).toEqual({
      from: '2026-03-10',
      days: 22,
      zone: ZONE,
      accountId: null,
    });
    const rows = screen.getAllByTestId('calendar-agenda-post');
    expect(rows.map((r) => r.dataset.postId)).toEqual(['1', '2', '3']);
    expect(within(rows[0]).getByTestId('calendar-time')).toHaveTextContent(/0?9:30/);
    expect(within(rows[0]).queryByTestId('calendar-own-time')).toBeNull();
    // Set in Paris: its own time too.
    expect(within(rows[2]).getByTestId('calendar-own-time')).toHaveTextContent(/12:15.*Paris/);
    rows[0].focus();
    await user.tab();
    expect(rows[1]).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(window.location.hash).toBe('#/compose/2'));

    // Paged by month.
    await user.click(screen.getByTestId('calendar-agenda-next'));
    await waitFor(() =>
      expect(screen.getAllByTestId('calendar-agenda-post').map((r) => r.dataset.postId)).toEqual([
        '5',
      ]),
    );
    expect(backend.calls('calendar_days').at(-1)).toMatchObject({ from: '2026-04-01', days: 30 });
  });
});

describe('A busy day’s list', () => {
  afterEach(() => {
    cleanup();
    clearMocks();
    toasts.clear();
  });

  it('opens a post from it, or drags one from it onto another day', async () => {
    const backend = mockBackend({
      items: [9, 10, 11, 12, 13].map((h, i) =>
        makeItem({
          id: i + 1,
          local: `2026-03-10T${String(h).padStart(2, '0')}:30`,
          postZone: ZONE,
        }),
      ),
    });
    render(CalendarPage, { now: NOW, weekStartsOn: 1, zone: ZONE });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('calendar-more'));
    const list = await screen.findByTestId('calendar-day-list');
    await waitFor(() => expect(within(list).getAllByTestId('calendar-post')).toHaveLength(5));
    const fifth = within(list)
      .getAllByTestId('calendar-post')
      .find((c) => c.dataset.postId === '5')!;
    const target = document.querySelector<HTMLElement>(
      '[data-testid="calendar-day"][data-date="2026-03-12"]',
    )!;
    await fireEvent.pointerDown(fifth, { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(target, { clientX: 200, clientY: 60 });
    // The list makes way for the days under it; the day under the pointer is marked.
    await waitFor(() => expect(screen.queryByTestId('calendar-day-list')).toBeNull());
    expect(target).toHaveClass('drop');
    await fireEvent.pointerUp(target, { clientX: 200, clientY: 60 });
    await waitFor(() =>
      expect(backend.calls('reschedule_post')).toEqual([
        { postId: 5, when: { kind: 'at', local: '2026-03-12T13:30', zone: ZONE, dst: null } },
      ]),
    );
    expect(target).not.toHaveClass('drop');

    // Opened again, a click opens the post.
    await user.click(await screen.findByTestId('calendar-more'));
    const again = await screen.findByTestId('calendar-day-list');
    await waitFor(() => expect(within(again).getAllByTestId('calendar-post').length).toBe(4));
    await user.click(within(again).getAllByTestId('calendar-post')[0]);
    await waitFor(() => expect(window.location.hash).toBe('#/compose/1'));
  });
});

describe('Week starts on', () => {
  resetAppBetweenTests();

  const firstColumn = () =>
    screen.getAllByTestId('calendar-weekday')[0].querySelector('abbr')?.getAttribute('title');

  it('comes from the setting, and changing it in Settings moves the first column', async () => {
    const backend = mockBackend({ settings: { weekStart: 'sunday' } });
    const user = await openAccounts('#/calendar');
    await waitFor(() => expect(firstColumn()).toBe('Sunday'));

    window.location.hash = '#/settings';
    const select = await screen.findByTestId('setting-week-start');
    expect(screen.getByTestId('settings-jump')).toHaveTextContent('Calendar');
    await waitFor(() => expect(select).toHaveValue('sunday'));
    await user.selectOptions(select, 'saturday');
    await waitFor(() =>
      expect(backend.calls('update_settings').at(-1)).toMatchObject({
        patch: { weekStart: 'saturday', theme: null },
      }),
    );
    window.location.hash = '#/calendar';
    await waitFor(() => expect(firstColumn()).toBe('Saturday'));
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import Toaster from '../components/Toaster.svelte';
import { accountColor } from '../lib/posts';
import { toasts } from '../lib/toasts.svelte';
import { makeAccount, makeItem, mockBackend } from '../test/backend';
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

describe('CalendarPage with posts', () => {
  const ZONE = 'America/New_York';
  // 02:00 UTC on 11 March is still 10 March in New York.
  const NOW = new Date('2026-03-11T02:00:00Z');

  function setup(
    items = [
      makeItem({ id: 1, accountId: 1, local: '2026-03-10T09:30', caption: 'Morning dance' }),
      makeItem({ id: 2, accountId: 2, local: '2026-03-10T18:00', caption: 'Evening vlog' }),
      makeItem({ id: 3, accountId: 1, local: '2026-03-21T07:15', caption: 'Weekend' }),
    ],
  ) {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 }), makeAccount({ id: 2 })],
      items: items.map((i) => ({ ...i, postZone: ZONE, postLocal: i.local })),
    });
    render(CalendarPage, { now: NOW, weekStartsOn: 1, zone: ZONE });
    render(Toaster);
    return { backend, user: userEvent.setup() };
  }

  const day = (key: string) =>
    document.querySelector<HTMLElement>(`[data-testid="calendar-day"][data-date="${key}"]`)!;
  const post = (id: number) =>
    document.querySelector<HTMLElement>(`[data-testid="calendar-post"][data-post-id="${id}"]`)!;

  afterEach(() => {
    cleanup();
    clearMocks();
    toasts.clear();
  });

  it('asks for the month in the zone and puts each post on its local day, with today marked', async () => {
    const { backend } = setup();
    await waitFor(() => expect(screen.getAllByTestId('calendar-post')).toHaveLength(3));
    expect(backend.calls('calendar_month')).toContainEqual({
      year: 2026,
      month: 3,
      zone: ZONE,
      accountId: null,
    });
    expect(
      within(day('2026-03-10'))
        .getAllByTestId('calendar-post')
        .map((p) => p.dataset.postId),
    ).toEqual(['1', '2']);
    expect(within(day('2026-03-21')).getByTestId('calendar-post')).toHaveTextContent(/\b0?7:15/);
    // One line: time · avatar · caption · the state as an icon with its words.
    expect(within(post(1)).getByRole('img', { name: 'Scheduled' })).toBeInTheDocument();
    expect(within(post(1)).getByTestId('calendar-status')).toHaveClass('st-clock');
    expect(within(post(1)).getByTestId('calendar-status')).toHaveAttribute('title', 'Scheduled');
    expect(post(1)).toHaveTextContent('Morning dance');
    const today = screen
      .getAllByTestId('calendar-day')
      .filter((d) => d.getAttribute('aria-current') === 'date');
    expect(today.map((d) => d.dataset.date)).toEqual(['2026-03-10']);
  });

  it('colours posts by account, stably', async () => {
    setup();
    await waitFor(() => expect(screen.getAllByTestId('calendar-post')).toHaveLength(3));
    // A class per account, whose rule (made once) holds the account's colour.
    const colour = (id: number) => [...post(id).classList].find((c) => c.startsWith('acct-'));
    expect(colour(1)).toBe('acct-1');
    expect(colour(3)).toBe('acct-1');
    expect(colour(2)).toBe('acct-2');
    const rules = [...document.querySelectorAll<HTMLStyleElement>('style[data-chip-styles]')]
      .flatMap((el) => [...(el.sheet?.cssRules ?? [])])
      .map((r) => r.cssText)
      .join('\n');
    expect(rules).toContain('acct-1');
    expect(rules).toContain(accountColor(1));
  });

  it('keeps thumbnails out of the month chips and shows them in the agenda, with the account colour', async () => {
    const { user } = setup([
      makeItem({
        id: 1,
        accountId: 2,
        local: '2026-03-10T09:30',
        thumbnailPath: '/data/thumbnails/0a1b.jpg',
      }),
      makeItem({ id: 2, accountId: 1, local: '2026-03-10T18:00' }),
    ]);
    await waitFor(() => expect(post(1)).toBeTruthy());
    // Month chips are one line: no image to decode per post.
    expect(post(1).querySelector('[data-testid="calendar-thumb"]')).toBeNull();
    expect(post(1)).toHaveClass('acct-2');

    await user.click(screen.getByTestId('calendar-toggle-agenda'));
    const row = (id: number) =>
      document.querySelector<HTMLElement>(
        `[data-testid="calendar-agenda-post"][data-post-id="${id}"]`,
      );
    const img = await waitFor(() => {
      const found = row(1)?.querySelector('img[data-testid="calendar-thumb"]');
      expect(found).toBeTruthy();
      return found!;
    });
    expect(img).toHaveAttribute('src', 'http://127.0.0.1:4791/thumb/t0ken/1?v=0a1b.jpg');
    expect(img).toHaveAttribute('alt', '');
    expect(row(1)!.style.getPropertyValue('--acct')).toBe(accountColor(2));
    // No thumbnail (no ffmpeg, unreadable file): no image at all, not a broken one.
    expect(row(2)!.querySelector('img[data-testid="calendar-thumb"]')).toBeNull();
  });

  it('filters by account from the legend, and shows all again', async () => {
    const { backend, user } = setup();
    const legend = await screen.findByTestId('calendar-legend');
    await waitFor(() =>
      expect(within(legend).getAllByTestId('calendar-legend-account')).toHaveLength(2),
    );
    const second = legend.querySelector<HTMLElement>('[data-account-id="2"]')!;
    expect(second.style.getPropertyValue('--acct')).toBe(accountColor(2));
    await user.click(second);
    expect(second).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() => expect(screen.getAllByTestId('calendar-post')).toHaveLength(1));
    // The month shown (the ones around it are asked for ahead).
    const march = () =>
      backend.calls('calendar_month').filter((c) => (c as { month: number }).month === 3);
    expect(march().at(-1)).toMatchObject({ accountId: 2 });
    // The same account again: every account (the month as first loaded, kept).
    await user.click(second);
    await waitFor(() => expect(screen.getAllByTestId('calendar-post')).toHaveLength(3));
    expect(march()[0]).toMatchObject({ accountId: null });
    await user.click(second);
    await user.click(screen.getByTestId('calendar-legend-all'));
    await waitFor(() => expect(screen.getAllByTestId('calendar-post')).toHaveLength(3));
  });

  it('drags a post to another day with pointer events, then undoes it', async () => {
    const { backend, user } = setup();
    await waitFor(() => expect(post(1)).toBeTruthy());
    const target = day('2026-03-12');
    await fireEvent.pointerDown(post(1), { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(target, { clientX: 200, clientY: 60 });
    expect(target).toHaveClass('drop');
    await fireEvent.pointerUp(target, { clientX: 200, clientY: 60 });

    await waitFor(() => expect(backend.calls('reschedule_post')).toHaveLength(1));
    expect(backend.calls('reschedule_post')[0]).toEqual({
      postId: 1,
      when: { kind: 'at', local: '2026-03-12T09:30', zone: ZONE, dst: null },
    });
    await waitFor(() =>
      expect(within(day('2026-03-12')).getByTestId('calendar-post')).toHaveAttribute(
        'data-post-id',
        '1',
      ),
    );

    await user.click(await screen.findByTestId('toast-action'));
    await waitFor(() => expect(backend.calls('reschedule_post')).toHaveLength(2));
    expect(backend.calls('reschedule_post')[1]).toEqual({
      postId: 1,
      when: { kind: 'at', local: '2026-03-10T09:30', zone: ZONE, dst: null },
    });
    await waitFor(() =>
      expect(
        within(day('2026-03-10'))
          .getAllByTestId('calendar-post')
          .map((p) => p.dataset.postId),
      ).toContain('1'),
    );
  });

  it('a click without movement does not reschedule', async () => {
    const { backend } = setup();
    await waitFor(() => expect(post(1)).toBeTruthy());
    await fireEvent.pointerDown(post(1), { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerUp(post(1), { clientX: 11, clientY: 10 });
    expect(backend.calls('reschedule_post')).toHaveLength(0);
  });

  it('shows the engine error and puts the post back when the move is refused', async () => {
    const { backend } = setup();
    backend.handlers.reschedule_post = () => {
      throw { code: 'invalid_input', message: 'That time has already passed.' };
    };
    await waitFor(() => expect(post(3)).toBeTruthy());
    const target = day('2026-03-02');
    await fireEvent.pointerDown(post(3), { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(target, { clientX: 100, clientY: 100 });
    await fireEvent.pointerUp(target, { clientX: 100, clientY: 100 });
    expect(await screen.findByTestId('toast')).toHaveTextContent('That time has already passed.');
    await waitFor(() =>
      expect(within(day('2026-03-21')).getByTestId('calendar-post')).toBeInTheDocument(),
    );
    expect(within(day('2026-03-02')).queryByTestId('calendar-post')).toBeNull();
  });

  it('week view places posts in hour slots and drags to a time slot', async () => {
    const { backend, user } = setup();
    await user.click(await screen.findByTestId('calendar-toggle-week'));
    expect(await screen.findByTestId('calendar-week-view')).toBeInTheDocument();
    await waitFor(() =>
      expect(backend.calls('calendar_days')).toContainEqual({
        from: '2026-03-09',
        days: 7,
        zone: ZONE,
        accountId: null,
      }),
    );
    const slot = (date: string, hour: number) =>
      document.querySelector<HTMLElement>(
        `[data-testid="calendar-slot"][data-date="${date}"][data-hour="${hour}"]`,
      )!;
    await waitFor(() =>
      expect(within(slot('2026-03-10', 9)).getByTestId('calendar-post')).toBeInTheDocument(),
    );
    expect(within(slot('2026-03-10', 18)).getByTestId('calendar-post')).toHaveAttribute(
      'data-post-id',
      '2',
    );
    expect(screen.getAllByTestId('calendar-slot')).toHaveLength(7 * 24);

    const target = slot('2026-03-13', 14);
    await fireEvent.pointerDown(post(1), { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(target, { clientX: 300, clientY: 300 });
    await fireEvent.pointerUp(target, { clientX: 300, clientY: 300 });
    await waitFor(() => expect(backend.calls('reschedule_post')).toHaveLength(1));
    expect(backend.calls('reschedule_post')[0]).toMatchObject({
      postId: 1,
      when: { kind: 'at', local: '2026-03-13T14:30', zone: ZONE },
    });
    await user.click(screen.getByTestId('calendar-toggle-month'));
    expect(await screen.findByTestId('calendar-month-view')).toBeInTheDocument();
  });

  it('a busy day shows a few chips and "+N more", which opens the whole day in place', async () => {
    const backend = mockBackend({
      items: [9, 10, 11, 12, 13, 14].map((h, i) =>
        makeItem({ id: i + 1, local: `2026-03-10T${String(h).padStart(2, '0')}:30` }),
      ),
    });
    render(CalendarPage, { now: NOW, weekStartsOn: 1, zone: ZONE });
    const more = await screen.findByTestId('calendar-more');
    // The engine lists five; the cell shows two and says how many more there are.
    expect(more).toHaveTextContent('+4 more');
    expect(within(day('2026-03-10')).getAllByTestId('calendar-post')).toHaveLength(2);
    await userEvent.setup().click(more);
    const list = await screen.findByTestId('calendar-day-list');
    expect(day('2026-03-10')).toContainElement(list);
    await waitFor(() => expect(within(list).getAllByTestId('calendar-post')).toHaveLength(6));
    expect(backend.calls('calendar_days').at(-1)).toMatchObject({ from: '2026-03-10', days: 1 });
    expect(screen.getByTestId('calendar-month-view')).toBeInTheDocument();
    expect(list).toHaveFocus();
    await fireEvent.keyDown(list, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('calendar-day-list')).toBeNull());
    expect(screen.getByTestId('calendar-more')).toHaveFocus();
  });
});

// The drafts library in the UI: the Drafts page, its filter, the sidebar's count, Compose's
// list and the calendar's Drafts panel all show every draft the engine has, including drafts
// made in an earlier run (here: already in the backend before the app starts).
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import Toaster from '../components/Toaster.svelte';
import { makeAccount, makeItem, makePost, mockBackend } from '../test/backend';
import { openAccounts, resetAppBetweenTests } from '../test/pages';
import CalendarPage from './CalendarPage.svelte';

resetAppBetweenTests();

function library() {
  const backend = mockBackend({
    accounts: [
      makeAccount({ id: 1, displayName: 'Maya Makes', username: 'maya.makes' }),
      makeAccount({ id: 2, displayName: 'Leo Travels', username: 'leo_travels' }),
    ],
    posts: [
      makePost({ id: 11, accountId: 1, caption: 'Pottery timelapse', mediaPath: '/v/pot.mp4' }),
      makePost({ id: 12, accountId: 2, caption: '', mediaPath: '/v/alps.mp4' }),
      makePost({ id: 13, accountId: 1, caption: 'Glaze test', mediaPath: '/v/glaze.mp4' }),
      makePost({ id: 14, accountId: 1, caption: 'On the calendar', status: 'scheduled' }),
    ],
  });
  backend.draftProblems[12] = [
    {
      kind: 'file_missing',
      message:
        'The video alps.mp4 is no longer at /v/alps.mp4. Open the draft and choose the file.',
    },
  ];
  return backend;
}

const cards = () => screen.queryAllByTestId('draft-card');
const ids = (els: HTMLElement[]) => els.map((e) => Number(e.dataset.postId));

describe('Drafts page', () => {
  it('lists every draft in Tokdeck with its account, thumbnail and problems, and counts them in the sidebar', async () => {
    library();
    await openAccounts('#/drafts');
    await waitFor(() => expect(ids(cards())).toEqual([13, 12, 11]));
    expect(await screen.findByTestId('nav-drafts-count')).toHaveTextContent('3');
    expect(screen.getByTestId('drafts-count')).toHaveTextContent('3 drafts');

    const alps = within(cards()[1]);
    expect(alps.getByTestId('draft-title')).toHaveTextContent('No caption yet');
    expect(alps.getByText('alps.mp4')).toBeInTheDocument();
    expect(alps.getByText('Leo Travels')).toBeInTheDocument();
    expect(alps.getByTestId('draft-problem')).toHaveTextContent(
      'The video alps.mp4 is no longer at /v/alps.mp4',
    );
    expect(alps.getByTestId('draft-problem')).toHaveAttribute('data-kind', 'file_missing');
    expect(within(cards()[0]).getByText('Ready to schedule')).toBeInTheDocument();
  });

  it('filters by account', async () => {
    const backend = library();
    const user = await openAccounts('#/drafts');
    await waitFor(() => expect(cards()).toHaveLength(3));
    const filter = screen.getByTestId('drafts-filter') as HTMLSelectElement;
    expect([...filter.options].map((o) => o.text)).toEqual([
      'All accounts · 3',
      'Maya Makes (@maya.makes) · 2',
      'Leo Travels (@leo_travels) · 1',
    ]);
    await user.selectOptions(filter, '2');
    await waitFor(() => expect(ids(cards())).toEqual([12]));
    expect(backend.calls('list_drafts')).toContainEqual({ query: { accountId: 2 } });
    expect(screen.getByTestId('drafts-count')).toHaveTextContent('1 draft of 3');
    await user.selectOptions(filter, '');
    await waitFor(() => expect(cards()).toHaveLength(3));
  });

  it('opens a draft in the composer, and deletes one to Trash with Undo', async () => {
    const backend = library();
    const user = await openAccounts('#/drafts');
    await waitFor(() => expect(cards()).toHaveLength(3));
    await user.click(within(cards()[2]).getByTestId('draft-delete'));
    await waitFor(() => expect(ids(cards())).toEqual([13, 12]));
    expect(backend.calls('delete_post')).toEqual([{ postId: 11 }]);
    expect(await screen.findByRole('button', { name: 'Undo' })).toBeVisible();
    // The engine says posts changed after every change; the sidebar's count follows.
    await backend.emit({ kind: 'postsChanged', postId: 11, accountId: 1 });
    await waitFor(() => expect(screen.getByTestId('nav-drafts-count')).toHaveTextContent('2'));

    await user.click(within(cards()[0]).getByTestId('draft-schedule'));
    await waitFor(() => expect(window.location.hash).toBe('#/compose/13/when'));
    expect(await screen.findByTestId('composer')).toBeInTheDocument();
    // Schedule… is there to give it a time: the When section's date field has the focus.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('compose-date')));
  });

  it('Open opens a draft without jumping to its time; a draft with a time gets the Schedule button', async () => {
    const backend = library();
    backend.posts.find((p) => p.id === 13)!.scheduleLocal = '2099-03-12T09:00';
    const user = await openAccounts('#/drafts');
    await waitFor(() => expect(cards()).toHaveLength(3));
    await user.click(within(cards()[2]).getByTestId('draft-open'));
    await waitFor(() => expect(window.location.hash).toBe('#/compose/11'));
    expect(await screen.findByTestId('composer')).toBeInTheDocument();
    expect(document.activeElement).not.toBe(screen.getByTestId('compose-date'));

    window.location.hash = '#/drafts';
    await waitFor(() => expect(cards()).toHaveLength(3));
    await user.click(within(cards()[0]).getByTestId('draft-schedule'));
    await waitFor(() => expect(window.location.hash).toBe('#/compose/13/when'));
    const composer = await screen.findByTestId('composer');
    await waitFor(() =>
      expect(screen.getByTestId('compose-readback')).not.toHaveTextContent('No time set'),
    );
    // Its time is set: focus waits on Schedule if TikTok's rules allow it, else in When.
    await waitFor(() => expect(composer.contains(document.activeElement)).toBe(true));
    const focused = document.activeElement as HTMLElement;
    expect(
      focused.dataset.testid === 'compose-schedule' ||
        screen.getByTestId('compose-when').contains(focused),
    ).toBe(true);
  });

  it('says where drafts come from when there are none', async () => {
    mockBackend({ accounts: [makeAccount({ id: 1 })] });
    await openAccounts('#/drafts');
    expect(await screen.findByText('No drafts')).toBeInTheDocument();
    expect(screen.queryByTestId('nav-drafts-count')).toBeNull();
  });
});

describe("Compose's list of drafts", () => {
  it('shows every draft from the engine, not only those added on this visit', async () => {
    library();
    await openAccounts('#/compose');
    await waitFor(() => expect(ids(screen.getAllByTestId('compose-draft'))).toEqual([13, 12, 11]));
    expect(screen.getByTestId('compose-drafts-title')).toHaveTextContent('Drafts (3)');
    // The latest draft is open, ready to continue.
    await waitFor(() =>
      expect(screen.getAllByTestId('compose-draft')[0]).toHaveAttribute('aria-current', 'true'),
    );
    expect(await screen.findByTestId('composer')).toBeInTheDocument();
  });
});

describe("The calendar's Drafts panel", () => {
  it('drags a draft onto a day to schedule it at 09:00, and Undo takes it back', async () => {
    const backend = library();
    backend.items.push(makeItem({ id: 14, local: '2026-03-10T18:00' }));
    render(CalendarPage, {
      now: new Date('2026-03-10T12:00:00Z'),
      weekStartsOn: 1,
      zone: 'UTC',
    });
    render(Toaster);
    const draft = (id: number) =>
      document.querySelector<HTMLElement>(`[data-testid="calendar-draft"][data-post-id="${id}"]`);
    await waitFor(() => expect(draft(11)).toBeTruthy());
    expect(screen.getByTestId('calendar-drafts')).toHaveTextContent('Drafts (3)');
    const day = document.querySelector<HTMLElement>(
      '[data-testid="calendar-day"][data-date="2026-03-12"]',
    )!;
    await fireEvent.pointerDown(draft(11)!, { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(day, { clientX: 200, clientY: 60 });
    expect(day).toHaveClass('drop');
    await fireEvent.pointerUp(day, { clientX: 200, clientY: 60 });

    await waitFor(() => expect(backend.calls('schedule_post')).toHaveLength(1));
    expect(backend.calls('schedule_post')[0]).toEqual({
      postId: 11,
      when: { kind: 'at', local: '2026-03-12T09:00', zone: 'UTC', dst: null },
    });
    await waitFor(() => expect(draft(11)).toBeNull());
    const toast = await screen.findByText('Scheduled “Pottery timelapse” for 2026-03-12 09:00');
    await fireEvent.click(
      within(toast.closest('[data-testid="toast"]')!).getByTestId('toast-action'),
    );
    await waitFor(() => expect(backend.calls('unschedule_post')).toEqual([{ postId: 11 }]));
    await waitFor(() => expect(draft(11)).toBeTruthy());
  });

  it("drags a draft onto a week's hour to schedule it at that hour", async () => {
    const backend = library();
    render(CalendarPage, { now: new Date('2026-03-10T12:00:00Z'), weekStartsOn: 1, zone: 'UTC' });
    const items = await screen.findAllByTestId('calendar-draft');
    await fireEvent.click(screen.getByTestId('calendar-toggle-week'));
    const slot = await waitFor(() => {
      const el = document.querySelector<HTMLElement>(
        '[data-testid="calendar-slot"][data-date="2026-03-13"][data-hour="17"]',
      );
      if (!el) throw new Error('no slot yet');
      return el;
    });
    await fireEvent.pointerDown(items[2], { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(slot, { clientX: 300, clientY: 300 });
    expect(slot).toHaveClass('drop');
    await fireEvent.pointerUp(slot, { clientX: 300, clientY: 300 });
    await waitFor(() =>
      expect(backend.calls('schedule_post')).toEqual([
        { postId: 11, when: { kind: 'at', local: '2026-03-13T17:00', zone: 'UTC', dst: null } },
      ]),
    );
  });

  it('a drop on today after 09:00 takes the next hour; the panel folds away', async () => {
    const backend = library();
    render(CalendarPage, { now: new Date('2026-03-10T12:20:00Z'), weekStartsOn: 1, zone: 'UTC' });
    const item = await screen.findAllByTestId('calendar-draft');
    const today = document.querySelector<HTMLElement>(
      '[data-testid="calendar-day"][data-date="2026-03-10"]',
    )!;
    await fireEvent.pointerDown(item[0], { button: 0, clientX: 10, clientY: 10 });
    await fireEvent.pointerMove(today, { clientX: 200, clientY: 60 });
    await fireEvent.pointerUp(today, { clientX: 200, clientY: 60 });
    await waitFor(() =>
      expect(backend.calls('schedule_post')[0]).toMatchObject({
        when: { local: '2026-03-10T13:00' },
      }),
    );
    await fireEvent.click(screen.getByTestId('calendar-drafts-toggle'));
    expect(screen.queryAllByTestId('calendar-draft')).toHaveLength(0);
  });
});

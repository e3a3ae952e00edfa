import { describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import App from '../App.svelte';
import type { LocalResolution } from '../lib/posts';
import { makeAccount, makeFacts, makePost, mockBackend } from '../test/backend';
import {
  el,
  fillValid,
  openComposer,
  privacySelect,
  resetAppBetweenTests,
  scheduleBtn,
  setWhen,
} from '../test/pages';

resetAppBetweenTests();

describe('composer: caption', () => {
  it('counts UTF-16 units (an emoji counts 2) and enforces 2200', async () => {
    const { user } = await openComposer();
    await fillValid(user);
    const caption = el('compose-caption');
    await fireEvent.input(caption, { target: { value: 'hi 😀' } });
    expect(el('compose-caption-count')).toHaveTextContent('5 / 2200');

    await fireEvent.input(caption, { target: { value: 'a'.repeat(2199) + '😀' } });
    expect(el('compose-caption-count')).toHaveTextContent('2201 / 2200');
    expect(el('compose-caption-count')).toHaveClass('over');
    expect(scheduleBtn()).toBeDisabled();

    await fireEvent.input(caption, { target: { value: 'a'.repeat(2200) } });
    expect(el('compose-caption-count')).toHaveTextContent('2200 / 2200');
    expect(scheduleBtn()).toBeEnabled();
  });

  it('highlights #hashtags and @mentions', async () => {
    await openComposer();
    await fireEvent.input(el('compose-caption'), {
      target: { value: 'New drop #fyp #dance with @friend_1 today' },
    });
    const preview = el('compose-caption-preview');
    expect(
      within(preview)
        .getAllByTestId('caption-hashtag')
        .map((m) => m.textContent),
    ).toEqual(['#fyp', '#dance']);
    expect(
      within(preview)
        .getAllByTestId('caption-mention')
        .map((m) => m.textContent),
    ).toEqual(['@friend_1']);
    expect(preview.textContent).toBe('New drop #fyp #dance with @friend_1 today');
  });
});

describe('composer: modes, preview and notes', () => {
  it('inbox mode hides the settings TikTok ignores and says the creator finishes in the app', async () => {
    const { user } = await openComposer();
    expect(el('compose-mode-direct')).toBeChecked();
    await user.click(el('compose-mode-inbox'));
    for (const id of [
      'compose-privacy',
      'compose-allow-comment',
      'compose-allow-duet',
      'compose-allow-stitch',
      'compose-disclosure',
    ]) {
      expect(screen.queryByTestId(id)).not.toBeInTheDocument();
    }
    expect(el('compose-inbox-note')).toHaveTextContent('finish the post in the TikTok app');
    setWhen();
    await waitFor(() => expect(scheduleBtn()).toBeEnabled());
  });

  it('shows the processing note and a preview player with "Use this frame"', async () => {
    await openComposer();
    expect(el('compose-processing-note')).toHaveTextContent(
      'After publishing, it can take a few minutes for the post to appear on your profile.',
    );
    const video = (await screen.findByTestId('compose-video')) as HTMLVideoElement;
    expect(video.getAttribute('src')).toMatch(/^http:\/\/127\.0\.0\.1:/);
    video.currentTime = 3.25;
    await fireEvent.timeUpdate(video);
    await fireEvent.click(el('compose-use-frame'));
    expect(el('compose-cover')).toHaveTextContent('3.3 s');
  });

  it('shows the facts and a note instead of a broken player when playback fails', async () => {
    await openComposer();
    const video = await screen.findByTestId('compose-video');
    await fireEvent.error(video);
    expect(screen.queryByTestId('compose-video')).not.toBeInTheDocument();
    expect(el('compose-preview-failed')).toHaveTextContent("can't be played here");
    expect(el('compose-facts')).toHaveTextContent('1080×1920');
  });
});

describe('composer: scheduling', () => {
  it('refuses a time in the past unless "Publish now" is chosen', async () => {
    const { backend, user } = await openComposer();
    await user.selectOptions(privacySelect(), 'PUBLIC_TO_EVERYONE');
    setWhen('2020-01-01', '09:00');
    expect(await screen.findByTestId('compose-past')).toBeInTheDocument();
    expect(scheduleBtn()).toBeDisabled();
    await user.click(el('compose-publish-now'));
    expect(scheduleBtn()).toBeEnabled();
    await user.click(scheduleBtn());
    await waitFor(() => expect(backend.calls('schedule_post')).toHaveLength(1));
    expect(backend.calls('schedule_post')[0]).toMatchObject({ when: { kind: 'now' } });
  });

  it.each<[string, LocalResolution, 'earlier' | 'later']>([
    [
      'a skipped (gap) time',
      { kind: 'nonexistent', before: '2099-03-08T06:30:00Z', after: '2099-03-08T07:30:00Z' },
      'later',
    ],
    [
      'a repeated (overlap) time',
      { kind: 'ambiguous', earlier: '2099-11-01T05:30:00Z', later: '2099-11-01T06:30:00Z' },
      'earlier',
    ],
  ])('%s needs an explicit choice', async (_name, resolution, pick) => {
    const { backend, user } = await openComposer();
    backend.handlers.resolve_local_time = () => resolution;
    await user.selectOptions(privacySelect(), 'PUBLIC_TO_EVERYONE');
    setWhen('2099-03-08', '01:30');
    const choice = await screen.findByTestId('compose-dst-choice');
    expect(scheduleBtn()).toBeDisabled();
    expect(within(choice).getAllByRole('radio')).toHaveLength(2);
    await user.click(el(`compose-dst-${pick}`));
    await waitFor(() => expect(scheduleBtn()).toBeEnabled());
    await user.click(scheduleBtn());
    await waitFor(() => expect(backend.calls('schedule_post')).toHaveLength(1));
    expect(backend.calls('schedule_post')[0]).toMatchObject({
      when: { kind: 'at', local: '2099-03-08T01:30', zone: 'UTC', dst: pick },
    });
  });

  it('saves the draft with what was chosen, schedules it and shows cap warnings', async () => {
    const { backend, user } = await openComposer();
    backend.setScheduleWarnings([
      {
        cap: 'daily_posts',
        count: 16,
        limit: 15,
        message: 'This would be the 16th post in 24 hours; TikTok allows about 15.',
      },
    ]);
    await fireEvent.input(el('compose-caption'), { target: { value: 'Hello #fyp' } });
    await user.click(el('compose-allow-duet'));
    await fillValid(user);
    await user.click(scheduleBtn());
    expect(await screen.findByTestId('compose-warnings')).toHaveTextContent('16th post');
    expect(backend.calls('update_post')[0]).toEqual({
      postId: backend.posts[0].id,
      patch: {
        caption: 'Hello #fyp',
        privacyLevel: 'PUBLIC_TO_EVERYONE',
        allowComment: false,
        allowDuet: true,
        allowStitch: false,
        commercial: { enabled: false, yourBrand: false, brandedContent: false },
        isAigc: false,
        coverTimestampMs: null,
        mode: 'direct',
      },
    });
    expect(backend.calls('schedule_post')[0]).toMatchObject({
      when: { kind: 'at', local: '2099-05-01T10:00', zone: 'UTC', dst: null },
    });
  });

  it('saves an unscheduled draft and reopens it later for editing', async () => {
    const { backend, user } = await openComposer();
    const id = backend.posts[0].id;
    await fireEvent.input(el('compose-caption'), { target: { value: 'first draft' } });
    await user.click(el('compose-save-draft'));
    await waitFor(() => expect(backend.calls('update_post')).toHaveLength(1));
    expect(backend.calls('update_post')[0]).toMatchObject({
      postId: id,
      patch: { caption: 'first draft', privacyLevel: null },
    });
    expect(backend.calls('schedule_post')).toHaveLength(0);
    expect(backend.posts[0].status).toBe('draft');

    cleanup();
    window.location.hash = `#/compose/${id}`;
    render(App);
    expect(await screen.findByTestId('compose-caption')).toHaveValue('first draft');
    expect(backend.calls('get_post')).toContainEqual({ postId: id });
  });
});

describe('compose page: intake', () => {
  it('shows the drop zone while files hover and each file result (facts or broken rule)', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 })],
      posts: [makePost({ id: 501 })],
    });
    window.location.hash = '#/compose';
    render(App);
    await screen.findByTestId('app-ready');
    expect(screen.queryByTestId('compose-drop-zone')).not.toBeInTheDocument();
    await backend.emit({ kind: 'dropHover', active: true });
    expect(await screen.findByTestId('compose-drop-zone')).toBeInTheDocument();
    await backend.emit({ kind: 'dropHover', active: false });
    await waitFor(() => expect(screen.queryByTestId('compose-drop-zone')).not.toBeInTheDocument());

    await backend.emit({
      kind: 'ingested',
      results: [
        {
          path: '/v/good.mp4',
          facts: makeFacts(),
          violations: [],
          error: null,
          accountId: 1,
          draftId: 501,
        },
        {
          path: '/v/slow.mp4',
          facts: makeFacts({ frameRate: 15 }),
          violations: [
            {
              rule: 'frame_rate',
              value: '15 fps',
              message: 'Frame rate is 15 fps; TikTok needs 23–60 fps.',
            },
          ],
          error: null,
          accountId: 1,
          draftId: null,
        },
      ],
    });
    const found = await screen.findAllByTestId('ingest-result');
    expect(found).toHaveLength(2);
    // Files that need a look come first.
    const results = [...found].reverse();
    expect(found[0].dataset.path).toBe('/v/slow.mp4');
    expect(results[0]).toHaveAttribute('data-ok', 'true');
    expect(results[0]).toHaveTextContent('1080×1920');
    expect(results[1]).toHaveAttribute('data-ok', 'false');
    expect(results[1]).toHaveTextContent('15 fps');
    expect(results[1]).toHaveTextContent('TikTok needs 23–60 fps');
    // Only the valid file becomes a draft.
    expect(screen.getAllByTestId('compose-draft')).toHaveLength(1);
  });

  it('"Choose videos…" makes one draft per video', async () => {
    const backend = mockBackend({ accounts: [makeAccount({ id: 1 })] });
    backend.setPick(['/v/a.mp4', '/v/b.mp4', '/v/c.mov']);
    window.location.hash = '#/compose';
    render(App);
    await screen.findByTestId('app-ready');
    const user = userEvent.setup();
    await waitFor(() => expect(el('compose-account')).toHaveValue('1'));
    await user.click(el('compose-choose-files'));
    await waitFor(() => expect(screen.getAllByTestId('compose-draft')).toHaveLength(3));
    expect(backend.calls('pick_videos')).toEqual([{ accountId: 1 }]);
    await user.click(screen.getAllByTestId('compose-draft')[1]);
    expect(screen.getAllByTestId('compose-draft')[1]).toHaveAttribute('aria-current', 'true');
  });

  it('the account picker makes the account current (drops go there) and moves an open draft', async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 }), makeAccount({ id: 2, displayName: 'Second' })],
    });
    backend.setPick(['/v/a.mp4']);
    window.location.hash = '#/compose';
    render(App);
    await screen.findByTestId('app-ready');
    const user = userEvent.setup();
    await waitFor(() => expect(el('compose-account')).toHaveValue('1'));
    await user.click(el('compose-choose-files'));
    await screen.findByTestId('composer');
    const draftId = backend.posts[0].id;
    expect(backend.posts[0].accountId).toBe(1);

    await user.selectOptions(el('compose-account'), '2');
    await waitFor(() => expect(backend.calls('set_current_account')).toEqual([{ accountId: 2 }]));
    await waitFor(() =>
      expect(backend.calls('duplicate_post')).toEqual([{ postId: draftId, accountIds: [2] }]),
    );
    await waitFor(() => expect(backend.calls('delete_post')).toEqual([{ postId: draftId }]));
    await waitFor(() => expect(el('compose-post-account')).toHaveTextContent('Second'));
    expect(screen.getAllByTestId('compose-draft')).toHaveLength(1);
  });
});

describe('compose page: time zone', () => {
  it("starts in the chosen account's default zone unless a zone was picked by hand", async () => {
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 }), makeAccount({ id: 2, displayName: 'Berlin' })],
      zone: 'UTC',
      accountZones: { 2: 'Europe/Berlin' },
    });
    backend.setPick(['/v/a.mp4']);
    window.location.hash = '#/compose';
    render(App);
    await screen.findByTestId('app-ready');
    const user = userEvent.setup();
    await waitFor(() => expect(el('compose-account')).toHaveValue('1'));
    await user.click(el('compose-choose-files'));
    await screen.findByTestId('composer');
    await waitFor(() => expect(el('compose-zone')).toHaveAttribute('data-zone', 'UTC'));

    await user.selectOptions(el('compose-account'), '2');
    await waitFor(() => expect(el('compose-post-account')).toHaveTextContent('Berlin'));
    await waitFor(() => expect(el('compose-zone')).toHaveAttribute('data-zone', 'Europe/Berlin'));
    expect(el('compose-zone')).toHaveTextContent('Berlin (GMT+');
    expect(backend.calls('get_account_time_zone')).toContainEqual({ accountId: 2 });

    // Picked by hand, by searching a city.
    await user.click(el('compose-zone'));
    await user.type(el('compose-zone-search'), 'new y');
    await user.click(await screen.findByText(/^New York \(GMT-/));
    expect(backend.calls('remember_time_zone')).toContainEqual({ zone: 'America/New_York' });
    await user.selectOptions(el('compose-account'), '1');
    await waitFor(() => expect(backend.calls('duplicate_post')).toHaveLength(2));
    await waitFor(() => expect(el('compose-post-account')).not.toHaveTextContent('Berlin'));
    await waitFor(() =>
      expect(backend.calls('get_account_time_zone')).toContainEqual({ accountId: 1 }),
    );
    expect(el('compose-zone')).toHaveAttribute('data-zone', 'America/New_York');
  });
});

import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { el, openComposer, resetAppBetweenTests } from '../test/pages';

resetAppBetweenTests();

describe('compose page: checked files and clip advice', () => {
  it('clears the checked-files list and keeps the drafts', async () => {
    await openComposer();
    expect(screen.getAllByTestId('ingest-result')).toHaveLength(1);
    await userEvent.setup().click(el('compose-clear-results'));
    expect(screen.queryAllByTestId('ingest-result')).toHaveLength(0);
    expect(screen.getAllByTestId('compose-draft')).toHaveLength(1);
  });

  it('warns before scheduling a very short clip, without blocking it', async () => {
    await openComposer({ durationMs: 1_000 });
    const advice = await screen.findByTestId('compose-clip-advice');
    expect(advice).toHaveTextContent('only 1 s long');
    expect(advice).toHaveTextContent('TikTok accepts it');
    expect(screen.getByTestId('ingest-result')).toHaveTextContent('only 1 s long');
  });

  it('says nothing about a normal vertical clip', async () => {
    await openComposer();
    await waitFor(() => expect(el('composer')).toBeInTheDocument());
    expect(screen.queryByTestId('compose-clip-advice')).toBeNull();
  });
});

describe('compose page: many files at once', () => {
  const ok = (path: string, draftId: number | null) => ({
    path,
    facts: null,
    error: draftId === null ? 'This file is not a video Tokdeck can read.' : null,
    violations: [],
    accountId: 1,
    draftId,
  });

  it('shows results and progress as a drop is checked, problems first', async () => {
    const { backend } = await openComposer();
    await backend.emit({
      kind: 'ingestProgress',
      done: 2,
      total: 5,
      results: [ok('/drop/a.mp4', 101), ok('/drop/bad.mp4', null)],
    });
    await waitFor(() => expect(el('ingest-progress')).toHaveTextContent('2 of 5'));
    const rows = () => screen.getAllByTestId('ingest-result').map((r) => r.dataset.path);
    expect(rows()[0]).toBe('/drop/bad.mp4');
    expect(rows()).toContain('/drop/a.mp4');
    expect(el('ingest-summary')).toHaveTextContent('2 added as drafts · 1 needs a look');

    await backend.emit({
      kind: 'ingestProgress',
      done: 5,
      total: 5,
      results: [ok('/drop/b.mp4', 102), ok('/drop/c.mp4', 103), ok('/drop/d.mp4', 104)],
    });
    await waitFor(() => expect(screen.queryByTestId('ingest-progress')).toBeNull());
    expect(screen.getAllByTestId('ingest-result')).toHaveLength(6);
    expect(el('ingest-summary')).toHaveTextContent('5 added as drafts · 1 needs a look');
  });

  it('chooses a whole folder through the native folder picker', async () => {
    const { backend, user } = await openComposer();
    backend.files['/videos/folder/one.mp4'] = {
      facts: null,
      violations: [],
      error: 'This file is not a video Tokdeck can read.',
    };
    backend.setPick(['/videos/folder/one.mp4']);
    await user.click(el('compose-choose-folder'));
    await waitFor(() => expect(backend.calls('pick_video_folder')).toEqual([{ accountId: 1 }]));
    await waitFor(() =>
      expect(screen.getAllByTestId('ingest-result')[0].dataset.path).toBe('/videos/folder/one.mp4'),
    );
  });
});

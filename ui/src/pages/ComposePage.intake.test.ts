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

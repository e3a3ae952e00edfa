import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import Toaster from './Toaster.svelte';
import App from '../App.svelte';
import { ToastStore, toasts } from '../lib/toasts.svelte';
import { mockBackend } from '../test/backend';

afterEach(() => {
  cleanup();
  clearMocks();
  toasts.clear();
});

describe('Toaster', () => {
  it('shows a failed command by its message, never its error code', async () => {
    const store = new ToastStore();
    render(Toaster, { store });
    store.fromError({ code: 'invalid_input', message: 'Pick who can see this post.' });
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveTextContent('Pick who can see this post.');
    expect(toast.textContent).not.toContain('invalid_input');
    expect(toast).toHaveAttribute('data-level', 'error');
    // Kept for diagnostics (tests, bug reports), out of sight.
    expect(toast).toHaveAttribute('data-code', 'invalid_input');
  });

  it('says a bare or prefixed code in plain words, never the code itself', async () => {
    const store = new ToastStore();
    render(Toaster, { store });
    store.fromError({ code: 'invalid_input', message: 'invalid_input' });
    store.fromError({ code: 'not_found', message: 'not_found: Post 7 does not exist.' });
    store.fromError({ code: 'storage', message: '' });
    // The third is folded under "+1 more" until unfolded.
    await userEvent.setup().click(await screen.findByTestId('toast-more'));
    await waitFor(() => expect(screen.getAllByTestId('toast')).toHaveLength(3));
    const [bare, prefixed, empty] = screen.getAllByTestId('toast');
    expect(bare).toHaveTextContent('That cannot be saved as it is.');
    expect(prefixed).toHaveTextContent('Post 7 does not exist.');
    expect(empty).toHaveTextContent('could not read or write its data');
    for (const t of screen.getAllByTestId('toast'))
      expect(t.textContent).not.toMatch(/invalid_input|not_found|storage/);
  });

  it('runs and dismisses with its own buttons', async () => {
    const store = new ToastStore();
    const undo = vi.fn();
    render(Toaster, { store });
    const user = userEvent.setup();
    store.success('Moved', { action: { label: 'Undo', run: undo } });
    store.info('Draft saved');
    await user.click(await screen.findByTestId('toast-action'));
    expect(undo).toHaveBeenCalledOnce();
    const left = screen.getAllByTestId('toast');
    expect(left).toHaveLength(1);
    await user.click(within(left[0]).getByRole('button', { name: 'Dismiss notification' }));
    await waitFor(() => expect(screen.queryAllByTestId('toast')).toHaveLength(0));
  });

  it('shows the newest two and counts the rest, which unfold on demand', async () => {
    const store = new ToastStore();
    render(Toaster, { store });
    for (const n of [1, 2, 3, 4, 5, 6]) store.info(`Toast ${n}`, { timeout: 0 });
    await waitFor(() => expect(screen.getAllByTestId('toast')).toHaveLength(2));
    const texts = () => screen.getAllByTestId('toast').map((t) => t.textContent?.trim());
    expect(texts()).toEqual(['Toast 5', 'Toast 6']);
    // The store keeps five: the oldest went.
    const more = screen.getByTestId('toast-more');
    expect(more).toHaveTextContent('+3 more');
    const user = userEvent.setup();
    await user.click(more);
    expect(texts()).toEqual(['Toast 2', 'Toast 3', 'Toast 4', 'Toast 5', 'Toast 6']);
    await user.click(screen.getByTestId('toast-more'));
    expect(texts()).toEqual(['Toast 5', 'Toast 6']);
    // Dismiss all, when some are folded away, clears every one of them.
    await user.click(screen.getByTestId('toast-dismiss-all'));
    await waitFor(() => expect(screen.queryAllByTestId('toast')).toHaveLength(0));
    expect(store.items).toHaveLength(0);
    for (const n of [1, 2, 3, 4, 5, 6]) store.info(`Toast ${n}`, { timeout: 0 });
    // Down to two, nothing is counted.
    for (const t of store.items.slice(0, 3)) store.dismiss(t.id);
    await waitFor(() => expect(screen.queryByTestId('toast-more')).toBeNull());
    expect(texts()).toEqual(['Toast 5', 'Toast 6']);
  });

  it('keeps each toast to one line, the whole text in its tooltip', async () => {
    const store = new ToastStore();
    render(Toaster, { store });
    const long = 'Post cancelled. It is in Trash for 30 days (it will not be posted).';
    store.warning(long, { detail: 'tokdeck://unknown-action' });
    const toast = await screen.findByTestId('toast');
    expect(toast).toHaveAttribute('title', `${long}\ntokdeck://unknown-action`);
    // Message and detail share one line (its CSS ends it in "…"; the end-to-end test measures
    // the height at 900×600).
    const body = toast.querySelector('.body') as HTMLElement;
    expect(body.tagName).toBe('P');
    expect(body.querySelector('.detail')).toHaveTextContent('tokdeck://unknown-action');
    expect(toast.querySelectorAll('.body')).toHaveLength(1);
  });

  it('is a row of the app shell, after the page, not a layer floating over it', async () => {
    mockBackend();
    render(App);
    await screen.findByTestId('app-ready');
    toasts.success('Maya Makes is connected.');
    const toast = await screen.findByTestId('toast');
    const region = screen.getByTestId('toaster');
    const shell = screen.getByTestId('app-ready');
    expect(region.parentElement).toBe(shell);
    expect(region.contains(toast)).toBe(true);
    // Outside the page's own box: nothing of the page can be underneath.
    expect(document.getElementById('main')?.contains(region)).toBe(false);
    expect(region.compareDocumentPosition(document.getElementById('main')!)).toBe(
      Node.DOCUMENT_POSITION_PRECEDING,
    );
  });
});

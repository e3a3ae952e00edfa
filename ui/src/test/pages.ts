// Shared by the page tests split by topic (ComposePage*.test.ts, AccountsPage*.test.ts): the
// app rendered on a page, reset between tests, and the composer opened on a picked file.
import { afterEach, beforeEach, expect } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import type { CreatorInfoDto } from '../lib/posts';
import { toasts } from '../lib/toasts.svelte';
import { makeAccount, makeCreator, makeFacts, mockBackend } from './backend';

/** Registers the per-test reset: no page in the hash before, nothing mounted or mocked after. */
export function resetAppBetweenTests() {
  beforeEach(() => {
    window.location.hash = '';
  });
  afterEach(() => {
    cleanup(); // unmount (and unlisten) while the IPC mock still exists
    clearMocks();
    toasts.clear();
  });
}

export const el = (id: string) => screen.getByTestId(id);

/** The app on the Accounts page (or `hash`), ready. */
export async function openAccounts(hash = '#/accounts') {
  window.location.hash = hash;
  render(App);
  await screen.findByTestId('app-ready');
  return userEvent.setup();
}

export const cards = () => screen.queryAllByTestId('account-card');
export const card = (openId: string) => {
  const node = document.querySelector<HTMLElement>(
    `[data-testid="account-card"][data-open-id="${openId}"]`,
  );
  if (!node) throw new Error(`no card for ${openId}`);
  return within(node);
};

/** The Compose page with a 42 s clip picked for account 1 (two accounts connected). */
export async function openComposer(
  opts: { creator?: Partial<CreatorInfoDto>; durationMs?: number; waitNickname?: boolean } = {},
) {
  const backend = mockBackend({
    accounts: [makeAccount({ id: 1, displayName: 'Main' }), makeAccount({ id: 2 })],
    creators: { 1: makeCreator(opts.creator), 2: makeCreator({ nickname: 'Second' }) },
  });
  backend.files['/videos/clip.mp4'] = {
    facts: makeFacts({ durationMs: opts.durationMs ?? 42_000 }),
    violations: [],
    error: null,
  };
  backend.setPick(['/videos/clip.mp4']);
  window.location.hash = '#/compose';
  render(App);
  await screen.findByTestId('app-ready');
  const user = userEvent.setup();
  const account = (await screen.findByTestId('compose-account')) as HTMLSelectElement;
  await waitFor(() => expect(account.options.length).toBeGreaterThan(1));
  await user.selectOptions(account, '1');
  await user.click(screen.getByTestId('compose-choose-files'));
  await screen.findByTestId('composer');
  if (opts.waitNickname !== false) await screen.findByTestId('compose-creator-nickname');
  return { backend, user };
}

export const scheduleBtn = () => el('compose-schedule') as HTMLButtonElement;
export const privacySelect = () => el('compose-privacy') as HTMLSelectElement;

export function setWhen(date = '2099-05-01', time = '10:00') {
  fireEvent.input(el('compose-date'), { target: { value: date } });
  fireEvent.input(el('compose-time'), { target: { value: time } });
}

/** A valid post: public, in the future; waits until Schedule is enabled. */
export async function fillValid(user: ReturnType<typeof userEvent.setup>) {
  await user.selectOptions(privacySelect(), 'PUBLIC_TO_EVERYONE');
  setWhen();
  await waitFor(() => expect(scheduleBtn()).toBeEnabled());
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import type { Settings } from '../lib/bindings';
import { toasts } from '../lib/toasts.svelte';
import { deferred, mockBackend } from '../test/backend';

const NO_CHANGE = {
  notificationsEnabled: null,
  notifyPublished: null,
  notifyFailed: null,
  notifyNeedsAttention: null,
  notifyMissed: null,
  notifyAccount: null,
  launchAtLogin: null,
  publishingPaused: null,
  theme: null,
  weekStart: null,
};

async function openSettings() {
  window.location.hash = '#/settings';
  render(App);
  await screen.findByTestId('app-ready');
  // Settings load alongside app info; wait until the controls are live.
  await waitFor(() => expect(screen.getByTestId('setting-notifications')).toBeEnabled());
  return userEvent.setup();
}

beforeEach(() => {
  window.location.hash = '';
});

afterEach(() => {
  cleanup(); // unmount (and unlisten) while the IPC mock still exists
  clearMocks();
  toasts.clear();
});

describe('settings toggles', () => {
  it.each([
    ['setting-notifications', 'notificationsEnabled', true],
    ['setting-notify-published', 'notifyPublished', true],
    ['setting-notify-failed', 'notifyFailed', true],
    ['setting-notify-needs-attention', 'notifyNeedsAttention', false],
    ['setting-notify-missed', 'notifyMissed', true],
    ['setting-notify-account', 'notifyAccount', true],
    ['setting-autostart', 'launchAtLogin', false],
    ['setting-paused', 'publishingPaused', false],
  ] as const)('%s sends update_settings with only %s', async (testid, key, initial) => {
    const backend = mockBackend({ settings: { [key]: initial } });
    const user = await openSettings();
    const toggle = screen.getByTestId(testid);
    expect(toggle).toHaveProperty('checked', initial);

    await user.click(toggle);

    expect(backend.calls('update_settings')).toEqual([
      { patch: { ...NO_CHANGE, [key]: !initial } },
    ]);
    await waitFor(() => expect(backend.settings[key]).toBe(!initial));
    expect(toggle).toHaveProperty('checked', !initial);
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();
  });

  it('is optimistic, then rolls back and shows the error banner when the command fails', async () => {
    const backend = mockBackend({ settings: { notificationsEnabled: true } });
    const pending = deferred<Settings>();
    backend.handlers.update_settings = () => pending.promise;
    const user = await openSettings();
    const toggle = screen.getByTestId('setting-notifications');

    await user.click(toggle);
    // Optimistic: flipped before the engine answers.
    expect(toggle).not.toBeChecked();
    expect(backend.calls('update_settings')).toEqual([
      { patch: { ...NO_CHANGE, notificationsEnabled: false } },
    ]);

    pending.reject({ code: 'storage', message: 'Could not write settings: disk full' });

    const banner = await screen.findByTestId('error-banner');
    expect(banner).toHaveTextContent('Could not write settings: disk full');
    expect(banner).toHaveAttribute('data-code', 'storage');
    await waitFor(() => expect(toggle).toBeChecked());
  });

  it('theme select sends the theme and applies it to the document', async () => {
    const backend = mockBackend({ settings: { theme: 'system' } });
    const user = await openSettings();

    await user.selectOptions(screen.getByTestId('setting-theme'), 'dark');

    expect(backend.calls('update_settings')).toEqual([{ patch: { ...NO_CHANGE, theme: 'dark' } }]);
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
  });

  it('theme select rolls back on error', async () => {
    const backend = mockBackend({ settings: { theme: 'light' } });
    backend.handlers.update_settings = () => {
      throw { code: 'invalid_input', message: 'Unknown theme' };
    };
    const user = await openSettings();
    const select = screen.getByTestId('setting-theme');

    await user.selectOptions(select, 'dark');

    expect(await screen.findByTestId('error-banner')).toHaveTextContent('Unknown theme');
    await waitFor(() => expect(select).toHaveValue('light'));
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});

describe('logs and about', () => {
  it('Open logs folder calls the command and reports failure in the banner', async () => {
    const backend = mockBackend();
    const user = await openSettings();

    await user.click(screen.getByTestId('open-logs'));
    expect(backend.calls('open_logs_folder')).toHaveLength(1);
    expect(screen.queryByTestId('error-banner')).not.toBeInTheDocument();

    backend.handlers.open_logs_folder = () => {
      throw { code: 'unavailable', message: 'No file manager' };
    };
    await user.click(screen.getByTestId('open-logs'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent('No file manager');
  });

  it('About shows the values from app_info', async () => {
    mockBackend({
      info: {
        version: '1.2.3',
        dataDir: '/data/tokdeck',
        logDir: '/data/tokdeck/logs',
        tiktokMode: 'tiktok',
        simulatorUrl: null,
      },
    });
    await openSettings();
    expect(screen.getByTestId('about-version')).toHaveTextContent('1.2.3');
    expect(screen.getByTestId('about-data-dir')).toHaveTextContent('/data/tokdeck');
    expect(screen.getByTestId('about-log-dir')).toHaveTextContent('/data/tokdeck/logs');
    expect(screen.getByTestId('about-mode')).toHaveTextContent(/^TikTok$/);
  });

  it('About names the simulator in demo mode', async () => {
    mockBackend({ info: { tiktokMode: 'simulator', simulatorUrl: 'http://127.0.0.1:9999' } });
    await openSettings();
    expect(screen.getByTestId('about-mode')).toHaveTextContent(
      'Simulator (demo) · http://127.0.0.1:9999',
    );
  });
});

describe('TikTok app', () => {
  async function openTiktok() {
    const user = await openSettings();
    const section = await screen.findByTestId('tiktok-settings');
    await within(section).findByTestId('tiktok-client-key');
    return { user, section: within(section) };
  }

  it('explains demo mode and shows the loopback redirect URI to register', async () => {
    mockBackend();
    const { section } = await openTiktok();
    expect(section.getByTestId('tiktok-mode')).toHaveTextContent('Demo — simulated TikTok');
    expect(screen.getByTestId('tiktok-settings')).toHaveTextContent('Demo mode:');
    expect(screen.getByTestId('tiktok-settings')).toHaveTextContent('Your own app:');
    expect(section.getByTestId('tiktok-redirect-loopback')).toBeChecked();
    expect(section.getByTestId('tiktok-redirect-uri')).toHaveTextContent(
      'http://127.0.0.1:*/callback/',
    );
    const checked = section
      .getAllByTestId('tiktok-scope')
      .filter((c) => (c as HTMLInputElement).checked)
      .map((c) => (c as HTMLInputElement).value);
    expect(checked).toEqual([
      'user.info.basic',
      'user.info.profile',
      'user.info.stats',
      'video.list',
      'video.upload',
      'video.publish',
    ]);
  });

  it('copies the exact redirect URI, and the deep-link one when that mode is picked', async () => {
    mockBackend();
    const { user, section } = await openTiktok();

    await user.click(section.getByTestId('tiktok-redirect-copy'));
    expect(await navigator.clipboard.readText()).toBe('http://127.0.0.1:*/callback/');
    expect(section.getByTestId('tiktok-redirect-copy')).toHaveTextContent('Copied');

    await user.click(section.getByTestId('tiktok-redirect-deeplink'));
    expect(section.getByTestId('tiktok-redirect-uri')).toHaveTextContent(
      'tokdeck://oauth/callback',
    );
    await user.click(section.getByTestId('tiktok-redirect-copy'));
    expect(await navigator.clipboard.readText()).toBe('tokdeck://oauth/callback');
  });

  it('save sends only the changes, and the secret is never displayed', async () => {
    const backend = mockBackend();
    const { user, section } = await openTiktok();
    const SECRET = 'cs-very-secret-value-123';

    await user.type(section.getByTestId('tiktok-client-key'), 'awkeyabc');
    const secretInput = section.getByTestId('tiktok-client-secret');
    expect(secretInput).toHaveAttribute('type', 'password');
    await user.type(secretInput, SECRET);
    const videoList = section
      .getAllByTestId('tiktok-scope')
      .find((c) => (c as HTMLInputElement).value === 'video.list')!;
    await user.click(videoList);
    await user.click(section.getByTestId('tiktok-save'));

    expect(backend.calls('update_tiktok_config')).toEqual([
      {
        patch: {
          clientKey: 'awkeyabc',
          clientSecret: SECRET,
          scopes: [
            'user.info.basic',
            'user.info.profile',
            'user.info.stats',
            'video.upload',
            'video.publish',
          ],
        },
      },
    ]);
    expect(await section.findByTestId('tiktok-secret-saved')).toHaveTextContent(
      'Saved in your keychain',
    );
    expect(section.getByTestId('tiktok-mode')).toHaveTextContent('Your TikTok app');
    // The header badge follows the saved mode.
    expect(screen.queryByTestId('mode-badge')).not.toBeInTheDocument();
    expect(document.body.textContent).not.toContain(SECRET);
    for (const input of document.querySelectorAll('input')) expect(input.value).not.toBe(SECRET);
    expect(section.getByTestId('tiktok-save')).toBeDisabled();
  });

  it('Replace and Remove act on the stored secret without revealing it', async () => {
    const backend = mockBackend({ tiktok: { clientKey: 'awkey', hasSecret: true } });
    const { user, section } = await openTiktok();
    expect(section.getByTestId('tiktok-secret-saved')).toBeInTheDocument();
    expect(section.queryByTestId('tiktok-client-secret')).not.toBeInTheDocument();

    await user.click(section.getByTestId('tiktok-secret-replace'));
    const input = section.getByTestId('tiktok-client-secret');
    expect(input).toHaveValue('');
    await user.click(section.getByRole('button', { name: 'Keep current' }));

    await user.click(section.getByTestId('tiktok-secret-remove'));
    expect(backend.calls('update_tiktok_config')).toEqual([{ patch: { clientSecret: '' } }]);
    expect(await section.findByTestId('tiktok-client-secret')).toBeInTheDocument();
    expect(section.getByTestId('tiktok-problem')).toHaveTextContent('Add the client secret');
  });

  it('shows validation errors from the engine inline and keeps the form', async () => {
    const backend = mockBackend();
    backend.handlers.update_tiktok_config = () => {
      throw {
        code: 'invalid_input',
        message:
          "The client key looks wrong: copy it again from your app's page in the TikTok developer portal.",
      };
    };
    const { user, section } = await openTiktok();
    await user.type(section.getByTestId('tiktok-client-key'), 'bad key');
    await user.click(section.getByTestId('tiktok-save'));

    const error = await section.findByTestId('tiktok-save-error');
    await waitFor(() => expect(error).toHaveTextContent('The client key looks wrong'));
    expect(section.getByTestId('tiktok-client-key')).toHaveValue('bad key');
  });
});

describe('notification kinds', () => {
  it('are greyed out while notifications are off, and keep their own choice', async () => {
    mockBackend({ settings: { notificationsEnabled: false, notifyMissed: false } });
    window.location.hash = '#/settings';
    render(App);
    await screen.findByTestId('app-ready');
    await waitFor(() => expect(screen.getByTestId('setting-notifications')).toBeEnabled());
    const group = screen.getByRole('group', { name: 'Notify me about' });
    for (const sw of within(group).getAllByRole('switch')) expect(sw).toBeDisabled();
    expect(screen.getByTestId('setting-notify-missed')).not.toBeChecked();
    expect(screen.getByTestId('setting-notify-published')).toBeChecked();

    await userEvent.setup().click(screen.getByTestId('setting-notifications'));
    await waitFor(() => expect(screen.getByTestId('setting-notify-missed')).toBeEnabled());
    expect(screen.getByTestId('setting-notify-missed')).not.toBeChecked();
  });
});

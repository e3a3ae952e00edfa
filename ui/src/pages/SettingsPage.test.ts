import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import type { Settings } from '../lib/bindings';
import { toasts } from '../lib/toasts.svelte';
import { deferred, mockBackend } from '../test/backend';

const NO_CHANGE = {
  notificationsEnabled: null,
  launchAtLogin: null,
  publishingPaused: null,
  theme: null,
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

/**
 * Dev-only fake engine so the UI can be seen in a plain browser: `npm run dev`, then open
 * http://localhost:1420/?demo (add `&tiktok` for real-TikTok mode). Never part of a build.
 */
import { mockIPC } from '@tauri-apps/api/mocks';
import type { AppInfo, Settings, SettingsPatch } from '../lib/bindings';

export function installDemoBackend(params: URLSearchParams): void {
  const info: AppInfo = {
    version: '0.0.0-demo',
    dataDir: '~/.local/share/tokdeck',
    logDir: '~/.local/share/tokdeck/logs',
    tiktokMode: params.has('tiktok') ? 'tiktok' : 'simulator',
    simulatorUrl: params.has('tiktok') ? null : 'http://127.0.0.1:7171',
    trayAvailable: true,
    startupError: params.has('broken')
      ? { code: 'storage', message: 'The database is damaged. Tokdeck left it untouched.' }
      : null,
  };
  let settings: Settings = {
    notificationsEnabled: true,
    launchAtLogin: false,
    publishingPaused: false,
    theme: 'system',
  };
  mockIPC(
    (cmd, args) => {
      switch (cmd) {
        case 'app_info':
          return info;
        case 'get_settings':
          return settings;
        case 'update_settings': {
          const patch = (args as { patch: SettingsPatch }).patch;
          if (params.has('fail')) throw { code: 'storage', message: 'Demo: saving is failing' };
          const next = { ...settings };
          for (const [k, v] of Object.entries(patch))
            if (v !== null) Object.assign(next, { [k]: v });
          settings = next;
          return settings;
        }
        case 'open_logs_folder':
          return null;
        default:
          throw { code: 'unavailable', message: `Demo backend has no ${cmd}` };
      }
    },
    { shouldMockEvents: true },
  );
}

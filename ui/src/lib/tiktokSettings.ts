/**
 * Pure rules of Settings → TikTok app: the scopes offered, the redirect URI to register, and
 * the patch that sends only what the form changed.
 */
import type { DirectPostAudit, RedirectMode, TiktokConfigDto, TiktokConfigPatch } from './bindings';

/** What to register in TikTok's developer portal for each redirect mode. */
export const REDIRECT_URIS: Record<RedirectMode, string> = {
  loopback: 'http://127.0.0.1:*/callback/',
  deep_link: 'tokdeck://oauth/callback',
};

export const SCOPE_HELP: Record<string, string> = {
  'user.info.basic': 'Which account signed in (required)',
  'user.info.profile': 'Username, bio, verified badge',
  'user.info.stats': 'Followers, likes and video counts',
  'video.list': "The account's published videos",
  'video.upload': 'Send videos to the TikTok inbox as drafts',
  'video.publish': 'Publish videos directly',
};

export const AUDIT_LABELS: Record<DirectPostAudit, string> = {
  audited: 'Audited',
  not_audited: 'Not audited yet',
  unknown: "I don't know",
};

/** The form of the TikTok app settings. */
export interface TiktokForm {
  clientKey: string;
  /** Typed by the user, sent once, then cleared. Never filled from the engine. */
  secret: string;
  scopes: string[];
  redirectMode: RedirectMode;
  audit: DirectPostAudit;
}

/** The scopes offered: TikTok's defaults, then any other the app already asks for. */
export function knownScopes(config: TiktokConfigDto | null): string[] {
  return config ? [...new Set([...config.defaultScopes, ...config.scopes])] : [];
}

/** The engine's exact URI for the saved mode; the generic one for a mode not saved yet. */
export function uriToRegister(config: TiktokConfigDto | null, mode: RedirectMode): string {
  return config && mode === config.redirectMode
    ? config.redirectUriToRegister
    : REDIRECT_URIS[mode];
}

/** Only what the form changed (empty: nothing to save). */
export function configPatch(config: TiktokConfigDto | null, f: TiktokForm): TiktokConfigPatch {
  if (!config) return {};
  const p: TiktokConfigPatch = {};
  if (f.clientKey.trim() !== (config.clientKey ?? '')) p.clientKey = f.clientKey.trim();
  if (f.secret.trim() !== '') p.clientSecret = f.secret;
  if (f.redirectMode !== config.redirectMode) p.redirectMode = f.redirectMode;
  if (f.audit !== config.directPostAudit) p.directPostAudit = f.audit;
  const same =
    f.scopes.length === config.scopes.length && f.scopes.every((s) => config.scopes.includes(s));
  if (!same) p.scopes = knownScopes(config).filter((s) => f.scopes.includes(s));
  return p;
}

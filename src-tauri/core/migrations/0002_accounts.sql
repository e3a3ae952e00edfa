-- Accounts: one row per TikTok account ever connected (unique by open_id; removal is a soft
-- delete so a reconnect restores the same row). Tokens live in the keychain, never here; only
-- their expiry instants are stored. Times are epoch milliseconds (UTC).
CREATE TABLE accounts (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    open_id            TEXT NOT NULL UNIQUE,
    union_id           TEXT,
    username           TEXT NOT NULL DEFAULT '',
    display_name       TEXT NOT NULL DEFAULT '',
    avatar_file        TEXT,                 -- file name under <data dir>/avatars
    bio                TEXT NOT NULL DEFAULT '',
    profile_url        TEXT,
    verified           INTEGER NOT NULL DEFAULT 0,
    follower_count     INTEGER,
    following_count    INTEGER,
    likes_count        INTEGER,
    video_count        INTEGER,
    granted_scopes     TEXT NOT NULL DEFAULT '',   -- comma-separated
    access_expires_at  INTEGER,
    refresh_expires_at INTEGER,
    refresh_warned_at  INTEGER,              -- when the 7-day refresh expiry warning was sent
    status             TEXT NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'needs_reconnect', 'disconnected')),
    last_synced_at     INTEGER,
    last_error         TEXT,
    label              TEXT NOT NULL DEFAULT '',
    is_default         INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    removed_at         INTEGER,
    -- lower-cased username, display name and label, for search
    search_text        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX accounts_live ON accounts (removed_at, id);
CREATE UNIQUE INDEX accounts_one_default ON accounts (is_default) WHERE is_default = 1;
CREATE INDEX audit_log_action ON audit_log (action, id DESC);

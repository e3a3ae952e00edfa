-- Bulk planning (issue 15). Posting slots: each account's weekly recurring wall-clock times in
-- its own zone (weekday 0 = Monday, minute of the day 0..1439). Which post takes a slot is
-- never stored: "the next free slot" is computed from the posts scheduled now, so moving or
-- removing a post frees its slot by itself.
CREATE TABLE posting_slots (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    minute      INTEGER NOT NULL CHECK (minute BETWEEN 0 AND 1439),
    UNIQUE (account_id, weekday, minute)
);

-- Saved caption templates and hashtag sets, per account.
CREATE TABLE caption_presets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('caption', 'hashtags')),
    name        TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX caption_presets_account ON caption_presets (account_id, kind, name);

-- The same video content on other accounts (the duplicate-content warning) by fingerprint.
CREATE INDEX posts_content ON posts (media_head_sha256, media_size);

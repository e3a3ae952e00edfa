-- Posts: one row per composed post. Times are epoch milliseconds (UTC). The schedule is the UTC
-- instant that counts, plus the IANA zone and the local wall-clock text the user chose, so the
-- post displays as chosen even after the system's zone changes.
CREATE TABLE posts (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id          INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- draft/scheduled/needs_attention/cancelled are set by compose; the publisher moves posts
    -- through queued/publishing and ends them published/failed/missed.
    status              TEXT NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'scheduled', 'needs_attention', 'cancelled',
                                          'queued', 'publishing', 'published', 'failed', 'missed')),
    mode                TEXT NOT NULL DEFAULT 'direct' CHECK (mode IN ('direct', 'inbox')),
    caption             TEXT NOT NULL DEFAULT '',
    privacy_level       TEXT,                 -- TikTok's spelling; NULL until chosen (drafts)
    allow_comment       INTEGER NOT NULL DEFAULT 0,
    allow_duet          INTEGER NOT NULL DEFAULT 0,
    allow_stitch        INTEGER NOT NULL DEFAULT 0,
    commercial          INTEGER NOT NULL DEFAULT 0,   -- disclosure toggle
    your_brand          INTEGER NOT NULL DEFAULT 0,   -- brand_organic_toggle
    branded_content     INTEGER NOT NULL DEFAULT 0,   -- brand_content_toggle
    is_aigc             INTEGER NOT NULL DEFAULT 0,
    cover_timestamp_ms  INTEGER,
    media_path          TEXT NOT NULL,
    media_size          INTEGER NOT NULL,
    media_mtime_ms      INTEGER NOT NULL,
    media_head_sha256   TEXT NOT NULL,
    media_tail_sha256   TEXT NOT NULL,
    media_facts         TEXT NOT NULL,                -- JSON (media::VideoFacts)
    thumbnail_path      TEXT,
    scheduled_at        INTEGER,                      -- the UTC instant that counts
    schedule_zone       TEXT,                         -- IANA zone chosen with it
    schedule_local      TEXT,                         -- wall-clock text chosen, YYYY-MM-DDTHH:MM
    publish_now         INTEGER NOT NULL DEFAULT 0,
    consent_at          INTEGER,                      -- when the user consented (scheduled)
    max_duration_sec    INTEGER,                      -- creator_info's limit when validated
    attention_reason    TEXT,
    paused_reason       TEXT,                         -- e.g. the account was removed
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
-- Calendar over all accounts, and per account (also the queue and the caps windows).
CREATE INDEX posts_time ON posts (scheduled_at) WHERE scheduled_at IS NOT NULL;
CREATE INDEX posts_account_time ON posts (account_id, scheduled_at);
CREATE INDEX posts_status ON posts (status, scheduled_at);

-- Caption search (substring, any language) for the queue.
CREATE VIRTUAL TABLE posts_fts USING fts5 (caption, content = 'posts', content_rowid = 'id',
                                           tokenize = 'trigram');
CREATE TRIGGER posts_fts_ai AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts (rowid, caption) VALUES (new.id, new.caption);
END;
CREATE TRIGGER posts_fts_ad AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, caption) VALUES ('delete', old.id, old.caption);
END;
CREATE TRIGGER posts_fts_au AFTER UPDATE OF caption ON posts BEGIN
    INSERT INTO posts_fts (posts_fts, rowid, caption) VALUES ('delete', old.id, old.caption);
    INSERT INTO posts_fts (rowid, caption) VALUES (new.id, new.caption);
END;

-- Per-account posting preferences owned by the posts module.
CREATE TABLE account_post_settings (
    account_id   INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    default_zone TEXT
);

-- The publisher's persisted state machine: one row per post that entered publishing, written
-- (in a transaction with the post's status) before every network step, so a crash or restart
-- resumes from here. The upload URL is a credential: it lives in the keychain
-- (`publish:<post_id>:upload_url`), only its expiry is kept here. Times are epoch ms (UTC).
CREATE TABLE publish_jobs (
    post_id               INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    account_id            INTEGER NOT NULL,
    state                 TEXT NOT NULL
                          CHECK (state IN ('queued', 'checking', 'initializing', 'uploading',
                                           'processing', 'published', 'failed',
                                           'needs_attention')),
    publish_id            TEXT,
    upload_url_expires_at INTEGER,
    video_size            INTEGER,
    chunk_size            INTEGER,
    total_chunks          INTEGER,
    confirmed_bytes       INTEGER NOT NULL DEFAULT 0,
    attempts              INTEGER NOT NULL DEFAULT 0,
    next_retry_at         INTEGER,
    retryable             INTEGER NOT NULL DEFAULT 0,
    -- The init was sent but its answer was lost: only the creator can tell (mark as posted or
    -- dismiss); never re-initialised blindly.
    outcome_unknown       INTEGER NOT NULL DEFAULT 0,
    error_code            TEXT,
    error_message         TEXT,
    log_id                TEXT,
    tiktok_status         TEXT,
    public_post_ids       TEXT,                 -- JSON array of strings
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX publish_jobs_state ON publish_jobs (state, next_retry_at);

-- Every state a publish went through, append-only: the post's history.
CREATE TABLE publish_attempts (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id  INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    state    TEXT NOT NULL,
    log_id   TEXT,
    error    TEXT
);
CREATE INDEX publish_attempts_post ON publish_attempts (post_id, id);

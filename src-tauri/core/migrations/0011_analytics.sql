-- Analytics (#14). Times are epoch milliseconds (UTC).
--
-- account_snapshots: an account's public counts as TikTok said them at `taken_at`; a time
-- series, appended at every sync and at least daily, never updated. A day with no row is a day
-- Tokdeck did not see (closed, offline): a gap, never filled in.
CREATE TABLE account_snapshots (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    taken_at        INTEGER NOT NULL,
    follower_count  INTEGER,
    following_count INTEGER,
    likes_count     INTEGER,
    video_count     INTEGER
);
-- Covering: a growth chart reads its points from the index alone.
CREATE INDEX account_snapshots_account_time ON account_snapshots
    (account_id, taken_at, follower_count, following_count, likes_count, video_count);

-- post_performance: one row per published post (post_id set) or per public video the account
-- posted outside Tokdeck (post_id NULL, match_kind 'imported'). `video_id` is TikTok's id once
-- known; `match_kind` says how it was found: 'public_id' (the publish status gave it),
-- 'matched' (one video in video.list with the post's create time and caption), 'uncertain'
-- (a video close in time whose caption or neighbours leave doubt), 'pending' (not found yet),
-- 'unmatched' (never found). `visibility`: 'pending' (not seen yet), 'public' (TikTok reports
-- it), 'private' (posted to a narrower audience than everyone: TikTok never reports its numbers),
-- 'gone' (was live, TikTok no longer reports it: removed, moderated or made private).
CREATE TABLE post_performance (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    post_id         INTEGER UNIQUE REFERENCES posts (id) ON DELETE SET NULL,
    video_id        TEXT,
    match_kind      TEXT NOT NULL
                    CHECK (match_kind IN ('public_id', 'matched', 'uncertain', 'pending',
                                          'unmatched', 'imported')),
    visibility      TEXT NOT NULL CHECK (visibility IN ('pending', 'public', 'private', 'gone')),
    share_url       TEXT,
    caption         TEXT NOT NULL DEFAULT '',
    -- TikTok's create_time once known, else when Tokdeck saw the publish complete: the age of
    -- every sample counts from here.
    published_at    INTEGER NOT NULL,
    live_at         INTEGER,                 -- first seen in video.list / video.query
    gone_at         INTEGER,
    -- The latest numbers, from any list or query (the Queue's "latest numbers"); the samples
    -- below are the curve.
    views           INTEGER,
    likes           INTEGER,
    comments        INTEGER,
    shares          INTEGER,
    counted_at      INTEGER,
    -- When the sampler looks at this row next (resolve or sample); NULL: nothing left to do.
    next_at         INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX post_performance_video ON post_performance (account_id, video_id)
    WHERE video_id IS NOT NULL;
CREATE INDEX post_performance_next ON post_performance (next_at) WHERE next_at IS NOT NULL;
-- Top posts: one index per sort of one account, and by views over all accounts.
CREATE INDEX post_performance_account_views ON post_performance (account_id, views DESC, id DESC);
CREATE INDEX post_performance_account_likes ON post_performance (account_id, likes DESC, id DESC);
CREATE INDEX post_performance_account_comments ON post_performance
    (account_id, comments DESC, id DESC);
CREATE INDEX post_performance_account_shares ON post_performance (account_id, shares DESC, id DESC);
CREATE INDEX post_performance_account_recent ON post_performance
    (account_id, published_at DESC, id DESC);
CREATE INDEX post_performance_top ON post_performance (views DESC, id DESC);

-- performance_samples: a video's counts at one of the fixed ages (`age_bucket`, hours: 1, 6,
-- 24, 72, 168, 720, then weekly to 2160). A sample is taken only while its age is still close
-- to the bucket's; a bucket missed while Tokdeck was closed stays empty.
CREATE TABLE performance_samples (
    performance_id  INTEGER NOT NULL REFERENCES post_performance (id) ON DELETE CASCADE,
    -- The row's account and publish time, copied so the medians per age and the best-time
    -- heatmap read one index and nothing else.
    account_id      INTEGER NOT NULL,
    published_at    INTEGER NOT NULL,
    age_bucket      INTEGER NOT NULL,
    sampled_at      INTEGER NOT NULL,
    views           INTEGER NOT NULL,
    likes           INTEGER NOT NULL,
    comments        INTEGER NOT NULL,
    shares          INTEGER NOT NULL,
    PRIMARY KEY (performance_id, age_bucket)
) WITHOUT ROWID;
CREATE INDEX performance_samples_account_age ON performance_samples
    (account_id, age_bucket, views, published_at);

-- Per account: when the sampler last walked video.list and took a snapshot, and when it may
-- try again after a failure.
CREATE TABLE analytics_accounts (
    account_id      INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    listed_at       INTEGER,
    retry_at        INTEGER,
    failures        INTEGER NOT NULL DEFAULT 0
);

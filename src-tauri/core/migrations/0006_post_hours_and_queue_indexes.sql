-- Calendar day counts: the month view shows how many posts each day has (cancelled ones aside).
-- Counting them from the posts index reads every post of the month; this table keeps the number
-- per UTC hour, so a day is a sum of 23-25 small rows. Days are in the viewer's zone: a day
-- boundary that is not on a whole UTC hour (zones such as +05:30 or +05:45) is completed by
-- counting the posts of the partial hour from the index (see posts::calendar_range_sql).
-- `hour` is scheduled_at / 3,600,000 (integer division, as the query computes it).
CREATE TABLE post_hours (
    hour INTEGER PRIMARY KEY,
    n    INTEGER NOT NULL
);

INSERT INTO post_hours (hour, n)
SELECT scheduled_at / 3600000, count(*) FROM posts
WHERE scheduled_at IS NOT NULL AND status != 'cancelled'
GROUP BY scheduled_at / 3600000;

CREATE TRIGGER post_hours_ai AFTER INSERT ON posts
WHEN new.scheduled_at IS NOT NULL AND new.status != 'cancelled'
BEGIN
    INSERT INTO post_hours (hour, n) VALUES (new.scheduled_at / 3600000, 1)
    ON CONFLICT (hour) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER post_hours_ad AFTER DELETE ON posts
WHEN old.scheduled_at IS NOT NULL AND old.status != 'cancelled'
BEGIN
    UPDATE post_hours SET n = n - 1 WHERE hour = old.scheduled_at / 3600000;
    DELETE FROM post_hours WHERE hour = old.scheduled_at / 3600000 AND n <= 0;
END;

-- A post leaves its old hour and joins its new one when its time moves or it is (un)cancelled.
CREATE TRIGGER post_hours_au AFTER UPDATE OF scheduled_at, status ON posts
WHEN old.scheduled_at IS NOT new.scheduled_at
    OR (old.status = 'cancelled') IS NOT (new.status = 'cancelled')
BEGIN
    UPDATE post_hours SET n = n - 1
    WHERE hour = old.scheduled_at / 3600000 AND old.status != 'cancelled';
    DELETE FROM post_hours WHERE hour = old.scheduled_at / 3600000 AND n <= 0;
    INSERT INTO post_hours (hour, n)
    SELECT new.scheduled_at / 3600000, 1
    WHERE new.scheduled_at IS NOT NULL AND new.status != 'cancelled'
    ON CONFLICT (hour) DO UPDATE SET n = n + 1;
END;

-- The queue lists pending posts soonest first and finished posts most recent first. Each set has
-- its own time-ordered covering index, so neither scan walks over the other's posts (years of
-- published posts before the first pending one, or every future post before the last
-- published one). The WHERE clauses are exactly the queue's (posts::QUEUE_PENDING /
-- QUEUE_FINISHED): SQLite uses a partial index only when the query repeats its condition.
CREATE INDEX posts_pending ON posts (scheduled_at, id, status, caption)
WHERE status IN ('scheduled', 'needs_attention', 'queued', 'publishing')
    AND scheduled_at IS NOT NULL;
CREATE INDEX posts_finished ON posts (scheduled_at, id, status, caption)
WHERE status IN ('published', 'failed', 'missed') AND scheduled_at IS NOT NULL;

-- The calendar and the queue filter on status and caption and order by (scheduled_at, id).
-- With those columns in the index, a scan reads only index entries and stops as soon as it has
-- the rows it lists; the wide rows (media facts, hashes, paths) are read only for those rows.
-- `id` is the rowid, named so the index order is exactly the queries' ORDER BY.
DROP INDEX posts_time;
CREATE INDEX posts_time ON posts (scheduled_at, id, status, caption) WHERE scheduled_at IS NOT NULL;
DROP INDEX posts_account_time;
CREATE INDEX posts_account_time ON posts (account_id, scheduled_at, id, status, caption);

-- Trash: a cancelled or deleted post is kept 30 days, restorable, then purged. While in Trash
-- its status is 'cancelled', which nothing ever claims or publishes (every claim is a
-- compare-and-set on 'scheduled'), so no other query has to learn about Trash.
--   trashed_at:   when it went to Trash (the 30 days count from here);
--   trashed_from: the status it had then (what Undo gives back);
--   deleted_at:   set when the creator pressed Delete rather than Cancel.
ALTER TABLE posts ADD COLUMN trashed_at INTEGER;
ALTER TABLE posts ADD COLUMN trashed_from TEXT;
ALTER TABLE posts ADD COLUMN deleted_at INTEGER;
-- Posts cancelled before Trash existed start their 30 days from their last change.
UPDATE posts SET trashed_at = updated_at WHERE status = 'cancelled';
CREATE INDEX posts_trash ON posts (trashed_at) WHERE status = 'cancelled';

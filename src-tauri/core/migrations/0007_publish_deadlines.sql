-- Bounds on the waits of a publish, so no post stays in one state for good:
-- - processing_deadline_at: TikTok still says PROCESSING after this instant → the post needs
--   attention (outcome unknown; the creator checks again, marks it as posted or dismisses it);
-- - public_id_next_at / public_id_until: a published public post whose id TikTok has not given
--   yet (moderation comes after PUBLISH_COMPLETE, sometimes hours later) is asked about again at
--   public_id_next_at, with growing intervals, until public_id_until.
ALTER TABLE publish_jobs ADD COLUMN processing_deadline_at INTEGER;
ALTER TABLE publish_jobs ADD COLUMN public_id_next_at INTEGER;
ALTER TABLE publish_jobs ADD COLUMN public_id_until INTEGER;
CREATE INDEX publish_jobs_public_id ON publish_jobs (public_id_next_at)
WHERE public_id_next_at IS NOT NULL;

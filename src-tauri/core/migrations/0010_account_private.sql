-- Whether the TikTok account is private, as TikTok's creator info last said (no "everyone"
-- among its privacy options): 1 private, 0 public, NULL not known yet (never asked, or the
-- video.publish permission was not granted). The Accounts page marks private accounts.
ALTER TABLE accounts ADD COLUMN is_private INTEGER;

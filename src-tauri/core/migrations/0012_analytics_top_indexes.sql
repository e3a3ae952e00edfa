-- Top posts over all accounts, for every sort the Analytics page offers (0011 indexed only
-- views): without these, "top 50 by likes" sorted 100,000 rows on every call. And the
-- all-accounts publish-time index, for a top list limited to a recent period, which reads that
-- period's rows and sorts only them.
CREATE INDEX post_performance_top_likes ON post_performance (likes DESC, id DESC);
CREATE INDEX post_performance_top_comments ON post_performance (comments DESC, id DESC);
CREATE INDEX post_performance_top_shares ON post_performance (shares DESC, id DESC);
CREATE INDEX post_performance_top_recent ON post_performance (published_at DESC, id DESC);

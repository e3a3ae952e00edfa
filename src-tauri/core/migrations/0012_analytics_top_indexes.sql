-- Top posts over all accounts, for every sort the Analytics page offers. 0011 indexed only
-- views: without these, "top 50 by likes" sorted 100,000 rows on every call. Each also holds
-- the publish time and visibility, so a top list limited to a period checks each candidate
-- from the index alone and reads only the rows it returns (0011's views index is rebuilt so).
-- And the all-accounts publish-time index, for a short period, which reads that period's rows
-- and sorts only them.
DROP INDEX post_performance_top;
CREATE INDEX post_performance_top ON post_performance
    (views DESC, id DESC, published_at, visibility);
CREATE INDEX post_performance_top_likes ON post_performance
    (likes DESC, id DESC, published_at, visibility);
CREATE INDEX post_performance_top_comments ON post_performance
    (comments DESC, id DESC, published_at, visibility);
CREATE INDEX post_performance_top_shares ON post_performance
    (shares DESC, id DESC, published_at, visibility);
CREATE INDEX post_performance_top_recent ON post_performance (published_at DESC, id DESC);

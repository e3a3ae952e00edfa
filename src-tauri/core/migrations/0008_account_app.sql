-- Which TikTok app issued an account's tokens: the client key, or 'demo' for the built-in
-- simulator. Tokens are valid only with the app that issued them, so an account connected
-- with another app than the configured one is shown as "reconnect" and its tokens are never
-- sent. Accounts connected before this column existed were connected with the app configured
-- now (the best that can be known); NULL (never written by Tokdeck) means "not known".
ALTER TABLE accounts ADD COLUMN app_key TEXT;
UPDATE accounts SET app_key = COALESCE(
    (SELECT json_extract(value, '$.clientKey') FROM settings WHERE key = 'tiktok'),
    'demo'
);

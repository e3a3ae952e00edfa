-- A post's publish history keeps its last 200 lines (`HISTORY_LINES_PER_POST`): the schema
-- trims it on each insert, so the publisher's state change is one statement (one round trip
-- to the connection's thread) shorter.
CREATE TRIGGER publish_attempts_trim AFTER INSERT ON publish_attempts
BEGIN
    DELETE FROM publish_attempts WHERE post_id = NEW.post_id AND id <= (
        SELECT id FROM publish_attempts WHERE post_id = NEW.post_id
        ORDER BY id DESC LIMIT 1 OFFSET 200);
END;

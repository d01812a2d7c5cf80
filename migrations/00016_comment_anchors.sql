-- +goose Up
-- Comments follow the text: a comment that quotes the clause keeps an
-- anchor, carried forward to every new version of the clause — its state
-- (carried, moved, changed, orphaned; checked in Go), the version it
-- describes, the language and byte offset of the words, and those words.
-- NULL state: the comment quotes nothing.
ALTER TABLE comments ADD COLUMN anchor_state TEXT;
ALTER TABLE comments ADD COLUMN anchor_version INTEGER;
ALTER TABLE comments ADD COLUMN anchor_lang TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN anchor_start INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN anchor_excerpt TEXT;
-- Comments quoted before this migration are anchored in the version they
-- were written against; their language and offset are found (anchor_lang
-- '') when the clause next changes.
UPDATE comments SET anchor_state = 'carried', anchor_version = clause_version, anchor_excerpt = quote
WHERE quote IS NOT NULL AND quote <> '';
CREATE INDEX comments_anchor ON comments (clause_id, anchor_state);

-- +goose Down
DROP INDEX comments_anchor;
ALTER TABLE comments DROP COLUMN anchor_excerpt;
ALTER TABLE comments DROP COLUMN anchor_start;
ALTER TABLE comments DROP COLUMN anchor_lang;
ALTER TABLE comments DROP COLUMN anchor_version;
ALTER TABLE comments DROP COLUMN anchor_state;

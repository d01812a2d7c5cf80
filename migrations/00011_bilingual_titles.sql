-- +goose Up
-- Guideline and section titles become per-language maps, like clause text
-- ({"en": "…", "es": "…"}), stored as JSON text. A title written before
-- was one string; it becomes that string in every language of its guideline
-- (a facilitator then translates it with a PATCH), so a title is present in
-- every language, as requests now require. Drafts keep the section title
-- they froze the same way. Approved versions are left as they are: their
-- content hash covers their bytes.
--
-- The string is escaped for JSON with REPLACE (backslash, quote, line feed,
-- tab: the only characters needing it in a title that passed the text
-- rule); the REPLACE arguments hold a literal line feed and tab. A title
-- that is a JSON object already (this migration applied before) is left
-- alone, so down and up again change nothing.
UPDATE guidelines SET title = '{' || substr(
        CASE WHEN languages LIKE '%"en"%' THEN ',"en":"' || REPLACE(REPLACE(REPLACE(REPLACE(title, '\', '\\'), '"', '\"'), '
', '\n'), '	', '\t') || '"' ELSE '' END
        || CASE WHEN languages LIKE '%"es"%' THEN ',"es":"' || REPLACE(REPLACE(REPLACE(REPLACE(title, '\', '\\'), '"', '\"'), '
', '\n'), '	', '\t') || '"' ELSE '' END, 2) || '}'
WHERE title NOT LIKE '{"%';

UPDATE sections SET title = '{' || substr(
        CASE WHEN (SELECT g.languages FROM guidelines g WHERE g.id = sections.guideline_id) LIKE '%"en"%' THEN ',"en":"' || REPLACE(REPLACE(REPLACE(REPLACE(title, '\', '\\'), '"', '\"'), '
', '\n'), '	', '\t') || '"' ELSE '' END
        || CASE WHEN (SELECT g.languages FROM guidelines g WHERE g.id = sections.guideline_id) LIKE '%"es"%' THEN ',"es":"' || REPLACE(REPLACE(REPLACE(REPLACE(title, '\', '\\'), '"', '\"'), '
', '\n'), '	', '\t') || '"' ELSE '' END, 2) || '}'
WHERE title NOT LIKE '{"%';

UPDATE draft_clauses SET section_title = '{' || substr(
        CASE WHEN (SELECT g.languages FROM guidelines g WHERE g.id = draft_clauses.guideline_id) LIKE '%"en"%' THEN ',"en":"' || REPLACE(REPLACE(REPLACE(REPLACE(section_title, '\', '\\'), '"', '\"'), '
', '\n'), '	', '\t') || '"' ELSE '' END
        || CASE WHEN (SELECT g.languages FROM guidelines g WHERE g.id = draft_clauses.guideline_id) LIKE '%"es"%' THEN ',"es":"' || REPLACE(REPLACE(REPLACE(REPLACE(section_title, '\', '\\'), '"', '\"'), '
', '\n'), '	', '\t') || '"' ELSE '' END, 2) || '}'
WHERE section_title NOT LIKE '{"%';

-- +goose Down
-- A title becomes its text in the guideline's first language again.
-- Not reversible in SQL both databases accept (reading one language back out
-- of the JSON needs each one's own JSON functions): the maps stay (and the
-- Up above leaves them alone), and a binary from before this migration
-- would show them as its titles.
SELECT 1;

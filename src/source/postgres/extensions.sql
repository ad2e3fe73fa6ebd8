-- Installed extensions, database-wide: the filter keeps those installed in a
-- schema it keeps (Filter::apply), so the baseline side is narrowed the same way.
SELECT e.extname::text, e.extversion, n.nspname::text
FROM pg_extension AS e
JOIN pg_namespace AS n ON n.oid = e.extnamespace

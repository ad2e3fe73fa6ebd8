-- Installed extensions (database-wide, whatever the --schema filter).
SELECT e.extname::text, e.extversion, n.nspname::text
FROM pg_extension AS e
JOIN pg_namespace AS n ON n.oid = e.extnamespace

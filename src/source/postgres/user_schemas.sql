-- The schemas a snapshot covers: every schema except PostgreSQL's own
-- (pg_catalog, information_schema, TOAST and temporary ones), narrowed to the
-- --schema list ($1) when one is given. Prefixed to every catalog query as the
-- CTE `user_schemas`.
SELECT n.oid, n.nspname
FROM pg_namespace AS n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY ($1::text[]))

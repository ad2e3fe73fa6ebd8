-- Primary keys, unique, foreign key, check and exclusion constraints, with
-- key columns in key order. Only checks and exclusions need the deparsed
-- definition; skipping it for the rest saves most of this query's time. NULLS_NOT_DISTINCT is replaced by the source with
-- the index column on PostgreSQL 15+ and `false` before.
-- The last column names the parent's constraint that this one belongs to: a
-- partition's key, unique and foreign key constraints are cloned from the
-- partitioned table's (conparentid); an inherited check keeps its parent's
-- name (coninhcount).
SELECT n.nspname::text,
       c.relname::text,
       k.conname::text,
       k.contype::text,
       ARRAY(SELECT a.attname::text
             FROM unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
             JOIN pg_attribute AS a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
             ORDER BY u.ord),
       fn.nspname::text,
       fc.relname::text,
       ARRAY(SELECT a.attname::text
             FROM unnest(k.confkey) WITH ORDINALITY AS u(attnum, ord)
             JOIN pg_attribute AS a ON a.attrelid = k.confrelid AND a.attnum = u.attnum
             ORDER BY u.ord),
       k.confupdtype::text,
       k.confdeltype::text,
       k.condeferrable,
       k.condeferred,
       CASE WHEN k.contype IN ('c', 'x') THEN pg_get_constraintdef(k.oid, true) END,
       coalesce(NULLS_NOT_DISTINCT, false),
       CASE WHEN k.conparentid <> 0
            THEN (SELECT pk.conname::text FROM pg_constraint AS pk WHERE pk.oid = k.conparentid)
            WHEN k.coninhcount > 0 THEN k.conname::text
       END
FROM pg_constraint AS k
JOIN pg_class AS c ON c.oid = k.conrelid
JOIN user_schemas AS n ON n.oid = c.relnamespace
LEFT JOIN pg_class AS fc ON fc.oid = k.confrelid
LEFT JOIN pg_namespace AS fn ON fn.oid = fc.relnamespace
LEFT JOIN pg_index AS i ON i.indexrelid = k.conindid AND k.contype = 'u'
WHERE k.contype IN ('p', 'u', 'f', 'c', 'x')
  -- A foreign key that references a partitioned table has one more row per
  -- referenced partition, on the same referencing table, whose parent is
  -- that key (the server's bookkeeping, not shown by \d or pg_dump): they are
  -- the key itself, and come and go with the referenced table's partitions.
  AND NOT EXISTS (SELECT FROM pg_constraint AS pk
                  WHERE pk.oid = k.conparentid AND pk.conrelid = k.conrelid)

-- Indexes that do not back a primary key, unique or exclusion constraint (those
-- are reported as the constraint). Plain key columns come as names; only
-- expression columns are deparsed, which keeps this query cheap on big schemas.
-- NULLS_NOT_DISTINCT is replaced as in constraints.sql.
SELECT n.nspname::text,
       c.relname::text,
       ic.relname::text,
       am.amname::text,
       i.indisunique,
       i.indnkeyatts::int,
       ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0
                         THEN pg_get_indexdef(i.indexrelid, k, true)
                         ELSE (SELECT a.attname::text FROM pg_attribute AS a
                               WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1])
                    END
             FROM generate_series(1, i.indnatts::int) AS k
             ORDER BY k),
       ARRAY(SELECT i.indkey[k - 1] = 0 FROM generate_series(1, i.indnatts::int) AS k ORDER BY k),
       i.indoption::int2[],
       pg_get_expr(i.indpred, i.indrelid, true),
       coalesce(NULLS_NOT_DISTINCT, false)
FROM pg_index AS i
JOIN pg_class AS ic ON ic.oid = i.indexrelid
JOIN pg_class AS c ON c.oid = i.indrelid
JOIN user_schemas AS n ON n.oid = c.relnamespace
JOIN pg_am AS am ON am.oid = ic.relam
WHERE NOT EXISTS (SELECT FROM pg_constraint AS k
                  WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))

-- Indexes that do not back a primary key, unique or exclusion constraint (those
-- are reported as the constraint). Plain key columns come as names; only
-- expression columns are deparsed, which keeps this query cheap on big schemas.
-- NULLS_NOT_DISTINCT is replaced as in constraints.sql. The last column names
-- the partitioned table's index that a partition's index is attached to.
-- Per key column, the collation and the operator class are given only where
-- they are not the default: a collation other than the column's, or for an
-- expression other than its type's and than that of every column the index
-- uses (`lower(code)` on a COLLATE "C" column is collated "C" by itself); an
-- operator class that is not the default for its method and type, or one with
-- options (`siglen=32`). Names outside pg_catalog are qualified, as the server
-- prints them here.
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
       coalesce(NULLS_NOT_DISTINCT, false),
       ARRAY(SELECT CASE WHEN i.indcollation[k - 1] <> 0
                          AND i.indcollation[k - 1] <> coalesce(a.attcollation, et.typcollation)
                          AND (i.indkey[k - 1] <> 0
                               OR NOT EXISTS (SELECT FROM pg_depend AS dep
                                              JOIN pg_attribute AS da
                                                ON da.attrelid = dep.refobjid
                                               AND da.attnum = dep.refobjsubid
                                              WHERE dep.classid = 'pg_class'::regclass
                                                AND dep.objid = i.indexrelid
                                                AND dep.refclassid = 'pg_class'::regclass
                                                AND dep.refobjid = i.indrelid
                                                AND da.attcollation = i.indcollation[k - 1]))
                         THEN CASE WHEN con.nspname = 'pg_catalog' THEN '' ELSE quote_ident(con.nspname) || '.' END
                              || quote_ident(co.collname)
                    END
             FROM generate_series(1, i.indnkeyatts::int) AS k
             JOIN pg_attribute AS ia ON ia.attrelid = i.indexrelid AND ia.attnum = k
             JOIN pg_type AS et ON et.oid = ia.atttypid
             LEFT JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]
                                        AND i.indkey[k - 1] <> 0
             LEFT JOIN pg_collation AS co ON co.oid = i.indcollation[k - 1]
             LEFT JOIN pg_namespace AS con ON con.oid = co.collnamespace
             ORDER BY k),
       ARRAY(SELECT CASE WHEN NOT oc.opcdefault OR ia.attoptions IS NOT NULL
                         THEN CASE WHEN ocn.nspname = 'pg_catalog' THEN '' ELSE quote_ident(ocn.nspname) || '.' END
                              || quote_ident(oc.opcname)
                              || coalesce(' (' || array_to_string(ia.attoptions, ', ') || ')', '')
                    END
             FROM generate_series(1, i.indnkeyatts::int) AS k
             JOIN pg_attribute AS ia ON ia.attrelid = i.indexrelid AND ia.attnum = k
             JOIN pg_opclass AS oc ON oc.oid = i.indclass[k - 1]
             JOIN pg_namespace AS ocn ON ocn.oid = oc.opcnamespace
             ORDER BY k),
       (SELECT pic.relname::text FROM pg_inherits AS ih
        JOIN pg_class AS pic ON pic.oid = ih.inhparent
        WHERE ih.inhrelid = i.indexrelid)
FROM pg_index AS i
JOIN pg_class AS ic ON ic.oid = i.indexrelid
JOIN pg_class AS c ON c.oid = i.indrelid
JOIN user_schemas AS n ON n.oid = c.relnamespace
JOIN pg_am AS am ON am.oid = ic.relam
WHERE NOT EXISTS (SELECT FROM pg_constraint AS k
                  WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))

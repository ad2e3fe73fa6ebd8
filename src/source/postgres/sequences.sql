-- Sequences with their owning column: a serial's (deptype 'a') or an identity
-- column's (deptype 'i', flagged). Extension sequences are skipped.
SELECT n.nspname::text,
       c.relname::text,
       format_type(s.seqtypid, NULL),
       s.seqstart,
       s.seqincrement,
       s.seqmin,
       s.seqmax,
       s.seqcycle,
       owner_ns.nspname::text,
       owner.relname::text,
       owner_col.attname::text,
       coalesce(dep.deptype = 'i', false)
FROM pg_sequence AS s
JOIN pg_class AS c ON c.oid = s.seqrelid
JOIN user_schemas AS n ON n.oid = c.relnamespace
LEFT JOIN pg_depend AS dep
       ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
      AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i')
LEFT JOIN pg_class AS owner ON owner.oid = dep.refobjid
LEFT JOIN pg_namespace AS owner_ns ON owner_ns.oid = owner.relnamespace
LEFT JOIN pg_attribute AS owner_col
       ON owner_col.attrelid = dep.refobjid AND owner_col.attnum = dep.refobjsubid
WHERE c.relpersistence <> 't'
  AND NOT EXISTS (SELECT FROM pg_depend AS x
                  WHERE x.classid = 'pg_class'::regclass AND x.objid = c.oid
                    AND x.deptype = 'e')

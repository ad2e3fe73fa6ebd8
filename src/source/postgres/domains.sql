-- Domains: base type (described as for columns: the element type of an
-- array, with the domain's modifier), NOT NULL, default, collation when not
-- the base type's, and CHECK constraints as parallel arrays in name order.
-- Domains that belong to an extension are left out.
SELECT n.nspname::text,
       t.typname::text,
       format_type(t.typbasetype, t.typtypmod),
       t.typnotnull,
       t.typdefault,
       CASE WHEN t.typcollation <> b.typcollation THEN co.collname::text END,
       b.typcategory = 'A',
       t.typndims::int,
       t.typtypmod,
       et.typname::text,
       et.typtype::text,
       etn.nspname::text,
       ARRAY(SELECT k.conname::text FROM pg_constraint AS k
             WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname),
       ARRAY(SELECT pg_get_constraintdef(k.oid, true) FROM pg_constraint AS k
             WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname),
       ARRAY(SELECT k.convalidated FROM pg_constraint AS k
             WHERE k.contypid = t.oid AND k.contype = 'c' ORDER BY k.conname)
FROM pg_type AS t
JOIN user_schemas AS n ON n.oid = t.typnamespace
JOIN pg_type AS b ON b.oid = t.typbasetype
JOIN pg_type AS et ON et.oid = CASE WHEN b.typcategory = 'A' THEN b.typelem ELSE b.oid END
JOIN pg_namespace AS etn ON etn.oid = et.typnamespace
LEFT JOIN pg_collation AS co ON co.oid = t.typcollation
WHERE t.typtype = 'd'
  AND NOT EXISTS (SELECT FROM pg_depend AS x
                  WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')

-- Columns of every relation in the covered schemas, and attributes of
-- composite types (relkind c; not those of an extension); the source keeps
-- those of the relations it read. Ordered by attnum within each relation, the only order
-- the source needs (ordering by names would sort every column on the server).
-- For arrays the element type is described, since the type modifier (length,
-- precision) applies to the element. COLUMN_IDENTITY: a partition's column
-- has its partitioned table's identity from PostgreSQL 17; before, only the
-- root holds it, and the partition's is read from the root (the same schema
-- reads the same on every version).
SELECT n.nspname::text,
       c.relname::text,
       a.attnum::int,
       a.attname::text,
       format_type(a.atttypid, a.atttypmod),
       a.attnotnull,
       t.typcategory = 'A',
       a.attndims::int,
       a.atttypmod,
       et.typname::text,
       et.typtype::text,
       etn.nspname::text,
       pg_get_expr(ad.adbin, ad.adrelid),
       COLUMN_IDENTITY,
       a.attgenerated::text,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END,
       d.description,
       c.relkind::text
FROM pg_attribute AS a
JOIN pg_class AS c ON c.oid = a.attrelid
JOIN user_schemas AS n ON n.oid = c.relnamespace
JOIN pg_type AS t ON t.oid = a.atttypid
JOIN pg_type AS et ON et.oid = CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END
JOIN pg_namespace AS etn ON etn.oid = et.typnamespace
LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation AS co ON co.oid = a.attcollation
LEFT JOIN pg_description AS d
       ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'c')
  AND (c.relkind <> 'c'
       OR NOT EXISTS (SELECT FROM pg_depend AS x
                      WHERE x.classid = 'pg_type'::regclass AND x.objid = c.reltype
                        AND x.deptype = 'e'))
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum

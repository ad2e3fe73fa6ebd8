-- Enum types with their labels in sort order.
SELECT n.nspname::text, t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
FROM pg_type AS t
JOIN user_schemas AS n ON n.oid = t.typnamespace
JOIN pg_enum AS e ON e.enumtypid = t.oid
WHERE NOT EXISTS (SELECT FROM pg_depend AS x
                  WHERE x.classid = 'pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
GROUP BY 1, 2

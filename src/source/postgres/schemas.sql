-- Schemas with their comments.
SELECT n.nspname::text, d.description
FROM user_schemas AS n
LEFT JOIN pg_description AS d
       ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0

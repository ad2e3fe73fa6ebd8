-- Row-level security policies; role 0 is PUBLIC.
SELECT n.nspname::text,
       c.relname::text,
       p.polname::text,
       p.polcmd::text,
       p.polpermissive,
       ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END
             FROM unnest(p.polroles) AS r ORDER BY 1),
       pg_get_expr(p.polqual, p.polrelid, true),
       pg_get_expr(p.polwithcheck, p.polrelid, true)
FROM pg_policy AS p
JOIN pg_class AS c ON c.oid = p.polrelid
JOIN user_schemas AS n ON n.oid = c.relnamespace

-- Functions and procedures (not aggregates or window functions), keyed by
-- name and argument types. SQL_BODY is replaced by the source with
-- pg_get_function_sqlbody(p.oid) on PostgreSQL 14+ (BEGIN ATOMIC bodies) and
-- NULL before.
SELECT n.nspname::text,
       p.proname::text,
       oidvectortypes(p.proargtypes),
       p.prokind::text,
       coalesce(pg_get_function_result(p.oid), ''),
       l.lanname::text,
       p.prosrc,
       SQL_BODY,
       p.provolatile::text,
       p.proisstrict,
       p.prosecdef,
       p.proleakproof,
       p.proparallel::text,
       pg_get_function_arguments(p.oid)
FROM pg_proc AS p
JOIN user_schemas AS n ON n.oid = p.pronamespace
JOIN pg_language AS l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p')
  AND NOT EXISTS (SELECT FROM pg_depend AS x
                  WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype = 'e')

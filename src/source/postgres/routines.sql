-- Functions, procedures, window functions and aggregates, keyed by name and
-- argument types; for an aggregate, its definition from pg_aggregate (the
-- compared parts, then every option one by one for `CREATE AGGREGATE`).
-- SQL_BODY is replaced by the source with pg_get_function_sqlbody(p.oid) on
-- PostgreSQL 14+ (BEGIN ATOMIC bodies) and NULL before.
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
       pg_get_function_arguments(p.oid),
       g.aggkind::text,
       g.aggtransfn::text,
       format_type(g.aggtranstype, NULL),
       CASE WHEN g.aggfinalfn <> 0 THEN g.aggfinalfn::text END,
       g.agginitval,
       concat_ws(' ',
                 CASE WHEN g.aggfinalextra THEN 'finalfunc_extra' END,
                 CASE WHEN g.aggcombinefn <> 0 THEN 'combinefunc=' || g.aggcombinefn::text END,
                 CASE WHEN g.aggserialfn <> 0 THEN 'serialfunc=' || g.aggserialfn::text END,
                 CASE WHEN g.aggdeserialfn <> 0 THEN 'deserialfunc=' || g.aggdeserialfn::text END,
                 CASE WHEN g.aggmtransfn <> 0 THEN 'msfunc=' || g.aggmtransfn::text END,
                 CASE WHEN g.aggminvtransfn <> 0 THEN 'minvfunc=' || g.aggminvtransfn::text END,
                 CASE WHEN g.aggmtranstype <> 0 THEN 'mstype=' || format_type(g.aggmtranstype, NULL) END,
                 CASE WHEN g.aggmfinalfn <> 0 THEN 'mfinalfunc=' || g.aggmfinalfn::text END,
                 CASE WHEN g.aggminitval IS NOT NULL THEN 'minitcond=' || g.aggminitval END,
                 CASE WHEN g.aggsortop <> 0 THEN 'sortop=' || g.aggsortop::regoperator::text END),
       p.proconfig,
       g.aggfinalextra,
       g.aggfinalmodify::text,
       CASE WHEN g.aggcombinefn <> 0 THEN g.aggcombinefn::text END,
       CASE WHEN g.aggserialfn <> 0 THEN g.aggserialfn::text END,
       CASE WHEN g.aggdeserialfn <> 0 THEN g.aggdeserialfn::text END,
       CASE WHEN g.aggmtransfn <> 0 THEN g.aggmtransfn::text END,
       CASE WHEN g.aggminvtransfn <> 0 THEN g.aggminvtransfn::text END,
       CASE WHEN g.aggmtranstype <> 0 THEN format_type(g.aggmtranstype, NULL) END,
       CASE WHEN g.aggmfinalfn <> 0 THEN g.aggmfinalfn::text END,
       g.aggmfinalextra,
       g.aggmfinalmodify::text,
       g.aggminitval,
       CASE WHEN g.aggsortop <> 0 THEN g.aggsortop::regoper::text END,
       g.aggtransspace,
       g.aggmtransspace
FROM pg_proc AS p
JOIN user_schemas AS n ON n.oid = p.pronamespace
JOIN pg_language AS l ON l.oid = p.prolang
LEFT JOIN pg_aggregate AS g ON g.aggfnoid = p.oid
WHERE p.prokind IN ('f', 'p', 'w', 'a')
  AND NOT EXISTS (SELECT FROM pg_depend AS x
                  WHERE x.classid = 'pg_proc'::regclass AND x.objid = p.oid AND x.deptype = 'e')

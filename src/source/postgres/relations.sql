-- Tables, partitioned tables, partitions, views and materialized views, with
-- partitioning, inheritance parents (not for partitions: their parent is the
-- partitioned table), storage and view options, row-level security, view text
-- and comments.
-- Temporary relations and relations that belong to an extension are left out.
SELECT n.nspname::text,
       c.relname::text,
       c.relkind::text,
       c.relispartition,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
       pn.nspname::text,
       pc.relname::text,
       c.reloptions::text[],
       c.relpersistence::text,
       c.relrowsecurity,
       c.relforcerowsecurity,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END,
       d.description,
       ARRAY(SELECT ipn.nspname::text || '.' || ipc.relname::text
             FROM pg_inherits AS ih
             JOIN pg_class AS ipc ON ipc.oid = ih.inhparent
             JOIN pg_namespace AS ipn ON ipn.oid = ipc.relnamespace
             WHERE ih.inhrelid = c.oid AND NOT c.relispartition
             ORDER BY ih.inhseqno)
FROM pg_class AS c
JOIN user_schemas AS n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits AS i ON c.relispartition AND i.inhrelid = c.oid
LEFT JOIN pg_class AS pc ON pc.oid = i.inhparent
LEFT JOIN pg_namespace AS pn ON pn.oid = pc.relnamespace
LEFT JOIN pg_description AS d
       ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'v', 'm')
  AND c.relpersistence <> 't'
  AND NOT EXISTS (SELECT FROM pg_depend AS e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')

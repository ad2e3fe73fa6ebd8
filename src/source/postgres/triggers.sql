-- User triggers (not the internal ones behind foreign keys), with when they
-- fire (tgenabled: O as usual, D disabled, R replica only, A always), and the
-- partitioned table's trigger a partition's trigger is cloned from
-- (TRIGGER_PARENT: tgparentid from PostgreSQL 13; on 12 a clone is internal
-- and its parent is its pg_depend 'P' reference, so TRIGGER_SHOWN lets those
-- clones in there: the same schema reads the same on every version).
SELECT n.nspname::text,
       c.relname::text,
       t.tgname::text,
       pg_get_triggerdef(t.oid, true),
       t.tgenabled::text,
       TRIGGER_PARENT
FROM pg_trigger AS t
JOIN pg_class AS c ON c.oid = t.tgrelid
JOIN user_schemas AS n ON n.oid = c.relnamespace
WHERE TRIGGER_SHOWN

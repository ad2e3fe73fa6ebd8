-- User triggers (not the internal ones behind foreign keys), with when they
-- fire (tgenabled: O as usual, D disabled, R replica only, A always), and the
-- partitioned table's trigger a partition's trigger is cloned from (tgparentid,
-- PostgreSQL 13+; before, clones are internal and left out).
SELECT n.nspname::text,
       c.relname::text,
       t.tgname::text,
       pg_get_triggerdef(t.oid, true),
       t.tgenabled::text,
       TRIGGER_PARENT
FROM pg_trigger AS t
JOIN pg_class AS c ON c.oid = t.tgrelid
JOIN user_schemas AS n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal

-- User triggers (not the internal ones behind foreign keys), with when they
-- fire (tgenabled: O as usual, D disabled, R replica only, A always).
SELECT n.nspname::text,
       c.relname::text,
       t.tgname::text,
       pg_get_triggerdef(t.oid, true),
       t.tgenabled::text
FROM pg_trigger AS t
JOIN pg_class AS c ON c.oid = t.tgrelid
JOIN user_schemas AS n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal

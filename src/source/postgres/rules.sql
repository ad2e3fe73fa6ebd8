-- Rewrite rules made with CREATE RULE (not the `_RETURN` rule that is a
-- view's definition), with when they fire (ev_enabled: O as usual, D
-- disabled, R replica only, A always).
SELECT n.nspname::text,
       c.relname::text,
       r.rulename::text,
       pg_get_ruledef(r.oid, true),
       r.ev_enabled::text
FROM pg_rewrite AS r
JOIN pg_class AS c ON c.oid = r.ev_class
JOIN user_schemas AS n ON n.oid = c.relnamespace
WHERE r.rulename <> '_RETURN'

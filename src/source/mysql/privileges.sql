-- Global and database-level privileges of the current user and its enabled
-- roles. Any of them makes every table of a matching database visible in
-- information_schema; without one, only tables with table-level grants show.
-- Triggers show only with the TRIGGER privilege. TABLE_SCHEMA may be a LIKE
-- pattern (GRANT ... ON `app\_%`.*).
SELECT '*' AS pattern, PRIVILEGE_TYPE
FROM information_schema.USER_PRIVILEGES
WHERE (GRANTEE = {grantee} OR GRANTEE IN ({role_grantees})) AND PRIVILEGE_TYPE <> 'USAGE'
UNION
SELECT TABLE_SCHEMA, PRIVILEGE_TYPE
FROM information_schema.SCHEMA_PRIVILEGES
WHERE GRANTEE = {grantee} OR GRANTEE IN ({role_grantees})

-- Global and database-level privileges of the current user and its enabled
-- roles. Either kind makes every table of a matching database visible in
-- information_schema; without one, only tables with table-level grants show.
-- TABLE_SCHEMA may be a LIKE pattern (GRANT ... ON `app\_%`.*).
SELECT '*' AS pattern
FROM information_schema.USER_PRIVILEGES
WHERE (GRANTEE = {grantee} OR GRANTEE IN ({role_grantees})) AND PRIVILEGE_TYPE <> 'USAGE'
UNION
SELECT TABLE_SCHEMA
FROM information_schema.SCHEMA_PRIVILEGES
WHERE GRANTEE = {grantee} OR GRANTEE IN ({role_grantees})

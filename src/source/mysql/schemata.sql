-- The requested databases that exist and that the user can see.
SELECT SCHEMA_NAME
FROM information_schema.SCHEMATA
WHERE SCHEMA_NAME IN ({schemas})

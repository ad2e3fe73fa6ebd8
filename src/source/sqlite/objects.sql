-- Every schema object with its stored SQL.
SELECT m.type, m.name, m.tbl_name, m.sql
FROM sqlite_schema AS m
WHERE m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.type, m.name

-- Every schema object with its stored SQL, plus the table-level flags.
SELECT m.type, m.name, m.tbl_name, m.sql,
       COALESCE(t.wr, 0) AS without_rowid, COALESCE(t.strict, 0) AS strict
FROM sqlite_schema AS m
LEFT JOIN pragma_table_list AS t ON t.schema = 'main' AND t.name = m.name
WHERE m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
ORDER BY m.type, m.name

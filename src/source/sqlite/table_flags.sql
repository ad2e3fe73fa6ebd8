-- STRICT and WITHOUT ROWID of every table, in one scan (joining the pragma per
-- row of sqlite_schema re-runs it for every table: quadratic).
SELECT name, wr, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table'

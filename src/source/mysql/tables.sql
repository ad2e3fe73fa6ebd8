-- Tables and views with their storage options. ROW_FORMAT is left out on
-- purpose: on MariaDB it makes the server open every table instead of reading
-- its definition, which doubles the cost of this query; the row format that
-- was declared is in CREATE_OPTIONS.
SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION, CREATE_OPTIONS,
       TABLE_COMMENT
FROM information_schema.TABLES
WHERE TABLE_SCHEMA IN ({schemas})
ORDER BY TABLE_SCHEMA, TABLE_NAME

-- Every index key part. {expression} is MySQL's functional key part (NULL on
-- MariaDB); {invisible} is MySQL IS_VISIBLE or MariaDB 10.6+ IGNORED.
SELECT TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME,
       COLLATION, SUB_PART, INDEX_TYPE, {expression} AS EXPRESSION,
       {invisible} AS INVISIBLE
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA IN ({schemas})
ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX

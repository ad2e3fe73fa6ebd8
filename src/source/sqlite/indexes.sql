-- Indexes of every table with their key columns (cid -2 is an expression).
SELECT m.name, l.name, l."unique", l.origin, l.partial, x.seqno, x.cid, x.name, x."desc", x.coll
FROM sqlite_schema AS m
JOIN pragma_index_list(m.name) AS l
JOIN pragma_index_xinfo(l.name) AS x
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND x.key = 1
ORDER BY m.name, l.name, x.seqno

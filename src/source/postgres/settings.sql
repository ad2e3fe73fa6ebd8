-- Who we are talking to: version (text and number) and database name.
SELECT current_setting('server_version'),
       current_setting('server_version_num')::int,
       current_database()::text

-- Event triggers (database-wide, whatever the --schema filter), with the
-- function they run and when they fire (evtenabled as tgenabled). Those that
-- belong to an extension are left out.
SELECT e.evtname::text,
       e.evtevent::text,
       coalesce(ARRAY(SELECT tag FROM unnest(e.evttags) AS tag ORDER BY tag), '{}'),
       e.evtfoid::regproc::text,
       e.evtenabled::text
FROM pg_event_trigger AS e
WHERE NOT EXISTS (SELECT FROM pg_depend AS x
                  WHERE x.classid = 'pg_event_trigger'::regclass AND x.objid = e.oid
                    AND x.deptype = 'e')

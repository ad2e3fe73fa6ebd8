-- Scheduled events (listed only to holders of the EVENT privilege). STARTS,
-- ENDS and EXECUTE_AT are in the event's TIME_ZONE; a recurring event created
-- without STARTS starts when it was created.
SELECT EVENT_SCHEMA, EVENT_NAME, EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD,
       STARTS, ENDS, TIME_ZONE, STATUS, ON_COMPLETION, EVENT_DEFINITION, EVENT_COMMENT
FROM information_schema.EVENTS
WHERE EVENT_SCHEMA IN ({schemas})
ORDER BY EVENT_SCHEMA, EVENT_NAME

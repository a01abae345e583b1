-- The message log by source, newest first (the admin list filtered by source), carrying the
-- time and the outcome so that each source's feed status is counted from the index alone.
create index inbound_message_source on inbound_message (source_org, id) include (received_at, status);

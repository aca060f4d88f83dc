-- Auditors page through access events newest first, by (at, id). With id in the index too, a page
-- is an ordered index range that stops after the page: no sort of everything a subject, a consumer
-- or a consent ever read (500 rows a subject at 10M events), and the cursor's (at, id) < (…, …) is
-- an index condition, not a filter. On a large live table, build these CONCURRENTLY by hand first.
drop index access_events_by_subject;
create index access_events_by_subject on access_events (subject_id, at desc, id desc);
drop index access_events_by_consumer;
create index access_events_by_consumer on access_events (consumer_org_id, at desc, id desc);
drop index access_events_by_consent;
create index access_events_by_consent on access_events (consent_id, at desc, id desc);

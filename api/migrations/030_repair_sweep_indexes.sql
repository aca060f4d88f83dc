-- The repair sweep looks every 30 s for reads blocked by a revoke or pause the ledger has not
-- answered, and for deposits whose commitment it has not confirmed. Without an index each look
-- scanned the whole of consents and records (about 940 MB at 1M citizens; it would be ~90 GB at
-- 99M), evicting the consented reads' pages. Both sets are almost always empty: partial indexes
-- hold only them.
create index consents_blocked on consents (blocked_at) where blocked_by is not null;
create index records_unconfirmed on records (created_at) where not confirmed;

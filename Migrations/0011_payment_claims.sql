-- A capture in progress is claimed on the row (short transaction), so the PayPal calls happen
-- outside any transaction and concurrent returns/webhooks for the same order wait for nothing.
ALTER TABLE payments ADD COLUMN capturing_until timestamptz;
GRANT UPDATE (capturing_until) ON payments TO mingle_app;

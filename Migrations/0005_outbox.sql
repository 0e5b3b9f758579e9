-- Mail waits here until delivered. Written in the same transaction as the action that
-- causes it; read by platform admins (console) and by the delivery worker's functions.
-- tenant_id is NULL for platform mail, so this is a global table, not a tenant table.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid REFERENCES tenants (id),
    to_address      text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    from_name       text NOT NULL DEFAULT '',
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    body_text       text NOT NULL,
    body_html       text,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY outbox_enqueue ON outbox FOR INSERT TO mingle_app
    WITH CHECK (tenant_id IS NOT DISTINCT FROM app_tenant_id() OR (SELECT platform_access()));
CREATE POLICY outbox_admin_read ON outbox FOR SELECT TO mingle_app
    USING ((SELECT platform_access()));
GRANT SELECT, INSERT ON outbox TO mingle_app;

-- Claims due messages for one delivery attempt; the lease keeps a crashed worker's claim
-- from being lost (the message becomes due again when the lease runs out).
CREATE FUNCTION outbox_claim(batch integer, lease interval)
RETURNS TABLE (id uuid, to_address text, from_name text, subject text, body_text text,
               body_html text, attempts integer)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE outbox o SET attempts = o.attempts + 1, next_attempt_at = now() + lease
    FROM (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT batch FOR UPDATE SKIP LOCKED) due
    WHERE o.id = due.id
    RETURNING o.id, o.to_address, o.from_name, o.subject, o.body_text, o.body_html, o.attempts
$$;

CREATE FUNCTION outbox_delivered(message uuid) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = message $$;

-- retry_at NULL gives up on the message for good.
CREATE FUNCTION outbox_attempt_failed(message uuid, error text, retry_at timestamptz) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE outbox SET last_error = left(error, 1000),
        status = CASE WHEN retry_at IS NULL THEN 'failed' ELSE 'pending' END,
        next_attempt_at = coalesce(retry_at, next_attempt_at)
    WHERE id = message
$$;

GRANT EXECUTE ON FUNCTION outbox_claim(integer, interval), outbox_delivered(uuid),
    outbox_attempt_failed(uuid, text, timestamptz) TO mingle_app;

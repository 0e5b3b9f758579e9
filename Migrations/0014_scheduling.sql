-- Issue 4, scheduling: the organizer's time zone per session, mail attachments (the .ics of
-- invitations) and the reminder worker's one cross-tenant question.

-- The IANA zone the organizer wrote the times in; times stay stored in UTC, the zone is only
-- for showing them again (edit form, messages, emails) the way they were meant.
ALTER TABLE live_sessions ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC'
    CHECK (length(time_zone) BETWEEN 1 AND 64);
GRANT UPDATE (time_zone) ON live_sessions TO mingle_app;

-- One attachment per message (an invitation's text/calendar part). All three or none.
ALTER TABLE outbox
    ADD COLUMN attachment_name text CHECK (length(attachment_name) BETWEEN 1 AND 100),
    ADD COLUMN attachment_type text CHECK (length(attachment_type) BETWEEN 1 AND 200),
    ADD COLUMN attachment_body text,
    ADD CONSTRAINT outbox_attachment_whole CHECK (
        (attachment_name IS NULL) = (attachment_type IS NULL) AND (attachment_name IS NULL) = (attachment_body IS NULL));

DROP FUNCTION outbox_claim(integer, interval);
CREATE FUNCTION outbox_claim(batch integer, lease interval)
RETURNS TABLE (id uuid, to_address text, from_name text, subject text, body_text text,
               body_html text, attempts integer, attachment_name text, attachment_type text,
               attachment_body text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE outbox o SET attempts = o.attempts + 1, next_attempt_at = now() + lease
    FROM (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT batch FOR UPDATE SKIP LOCKED) due
    WHERE o.id = due.id
    RETURNING o.id, o.to_address, o.from_name, o.subject, o.body_text, o.body_html, o.attempts,
              o.attachment_name, o.attachment_type, o.attachment_body
$$;
GRANT EXECUTE ON FUNCTION outbox_claim(integer, interval) TO mingle_app;

-- Sent: the bodies (which may hold single-use links) and the attachment are cleared.
CREATE OR REPLACE FUNCTION outbox_delivered(message uuid) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL, body_text = '', body_html = NULL,
        attachment_name = NULL, attachment_type = NULL, attachment_body = NULL
    WHERE id = message
$$;

-- The reminder worker's question, asked before any tenant is set: which sessions of which
-- active tenants start within `lead` and have not been reminded of, and as whom to act (the
-- organizer who scheduled it while still an active organizer, else another active one).
-- Tenant tables force RLS on their owner too, so the function visits one tenant at a time by
-- setting app.tenant_id, and puts the caller's value back before it returns.
-- It answers only ids; the worker then handles each session inside withTenant.
CREATE FUNCTION live_session_reminders_due(lead interval, max_rows integer)
RETURNS TABLE (tenant_id uuid, session_id uuid, actor uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    t record;
    caller_tenant text := coalesce(current_setting('app.tenant_id', true), '');
BEGIN
    FOR t IN SELECT id FROM tenants WHERE status = 'active' ORDER BY id LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        RETURN QUERY
            SELECT s.tenant_id, s.id,
                   coalesce(
                       (SELECT m.user_id FROM memberships m
                        WHERE m.tenant_id = s.tenant_id AND m.user_id = s.created_by
                          AND m.role = 'organizer' AND m.status = 'active'),
                       (SELECT m.user_id FROM memberships m
                        WHERE m.tenant_id = s.tenant_id AND m.role = 'organizer' AND m.status = 'active'
                        ORDER BY m.created_at LIMIT 1))
            FROM live_sessions s
            WHERE s.tenant_id = t.id AND s.cancelled_at IS NULL AND s.reminder_sent_at IS NULL
              AND s.starts_at > now() AND s.starts_at <= now() + lead
              AND EXISTS (SELECT 1 FROM memberships m
                          WHERE m.tenant_id = s.tenant_id AND m.role = 'organizer' AND m.status = 'active')
            ORDER BY s.starts_at
            LIMIT max_rows;
    END LOOP;
    PERFORM set_config('app.tenant_id', caller_tenant, true);
END
$$;
GRANT EXECUTE ON FUNCTION live_session_reminders_due(interval, integer) TO mingle_app;

-- Issue 4 (review): a survey response belongs to a pairing of the same session, and a
-- restarted server can find the sessions it must resume.

ALTER TABLE live_pairings ADD CONSTRAINT live_pairings_session_pairing UNIQUE (tenant_id, session_id, id);
ALTER TABLE live_survey_responses ADD CONSTRAINT live_survey_responses_same_session
    FOREIGN KEY (tenant_id, session_id, pairing_id) REFERENCES live_pairings (tenant_id, session_id, id);

-- Sessions with unfinished live state (a pairing not yet ended, someone in the pool), across
-- tenants, so a starting server loads their engines and their timers run even if nobody
-- reconnects. Returns only identifiers; each engine then reads its own tenant's rows inside
-- that tenant's row-level-security scope. Like live_session_reminders_due it visits one tenant
-- at a time (tenant tables force RLS on their owner too) and restores the caller's setting.
CREATE FUNCTION live_sessions_to_resume(max_rows integer)
RETURNS TABLE (tenant_id uuid, session_id uuid)
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
            SELECT s.tenant_id, s.id FROM live_sessions s
            WHERE s.tenant_id = t.id AND s.cancelled_at IS NULL
              AND (EXISTS (SELECT 1 FROM live_pairings p WHERE p.tenant_id = s.tenant_id AND p.session_id = s.id AND p.ended_at IS NULL)
                   OR EXISTS (SELECT 1 FROM live_pool q WHERE q.tenant_id = s.tenant_id AND q.session_id = s.id))
            ORDER BY s.starts_at
            LIMIT max_rows;
    END LOOP;
    PERFORM set_config('app.tenant_id', caller_tenant, true);
END
$$;
REVOKE ALL ON FUNCTION live_sessions_to_resume(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION live_sessions_to_resume(integer) TO mingle_app;

-- Functions are executable by PUBLIC unless revoked; only the app role needs the reminder one.
REVOKE ALL ON FUNCTION live_session_reminders_due(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION live_session_reminders_due(interval, integer) TO mingle_app;

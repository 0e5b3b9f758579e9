-- Issue 15 (meetings around the room): the reminder worker's question for meetings, asked
-- before any tenant is set, like live_session_reminders_due (0014): which meetings of which
-- active tenants start within `lead`, are neither cancelled nor ended nor reminded of, and as
-- whom to act (the host who created it while still an active member, else the tenant's
-- longest-standing active organizer). It visits one tenant at a time (tenant tables force RLS
-- on their owner too), answers ids only, and puts the caller's app.tenant_id back.
CREATE FUNCTION meeting_reminders_due(lead interval, max_rows integer)
RETURNS TABLE (tenant_id uuid, meeting_id uuid, actor uuid)
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
            SELECT mt.tenant_id, mt.id, who.user_id
            FROM meetings mt
            CROSS JOIN LATERAL (
                SELECT m.user_id FROM memberships m
                WHERE m.tenant_id = mt.tenant_id AND m.status = 'active'
                  AND (m.user_id = mt.created_by OR m.role = 'organizer')
                ORDER BY (m.user_id = mt.created_by) DESC, m.created_at, m.user_id
                LIMIT 1) who
            WHERE mt.tenant_id = t.id AND mt.cancelled_at IS NULL AND mt.ended_at IS NULL
              AND mt.reminder_sent_at IS NULL
              AND mt.starts_at > now() AND mt.starts_at <= now() + lead
            ORDER BY mt.starts_at
            LIMIT max_rows;
    END LOOP;
    PERFORM set_config('app.tenant_id', caller_tenant, true);
END
$$;
REVOKE ALL ON FUNCTION meeting_reminders_due(interval, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION meeting_reminders_due(interval, integer) TO mingle_app;

-- Issue 6: figures for platform administrators, per tenant: active members, sessions held,
-- seconds of one-to-one conversation (per pair), surveys submitted. Only inside a platform
-- access transaction (begin_platform_access: checked and audited). Tenant tables force
-- row-level security on their owner too, so, like live_sessions_to_resume, it visits one
-- tenant at a time and restores the caller's setting.
CREATE FUNCTION platform_tenant_figures()
RETURNS TABLE (tenant_id uuid, slug text, name text, status text, active_members bigint,
               sessions_held bigint, pair_seconds bigint, surveys bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    t record;
    caller_tenant text := coalesce(current_setting('app.tenant_id', true), '');
BEGIN
    IF NOT platform_access() THEN
        RAISE EXCEPTION 'platform access required' USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOR t IN SELECT tn.id, tn.slug, tn.name, tn.status FROM tenants tn ORDER BY tn.slug LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        RETURN QUERY SELECT
            t.id, t.slug, t.name, t.status,
            (SELECT count(*) FROM memberships m
              WHERE m.tenant_id = t.id AND m.status = 'active' AND m.role = 'member'),
            -- held: over, not cancelled, and someone came
            (SELECT count(*) FROM live_sessions s
              WHERE s.tenant_id = t.id AND s.cancelled_at IS NULL AND s.ends_at <= now()
                AND EXISTS (SELECT 1 FROM live_attendance a WHERE a.tenant_id = s.tenant_id AND a.session_id = s.id)),
            (SELECT coalesce(sum(extract(epoch FROM p.ended_at - p.started_at)), 0)::bigint FROM live_pairings p
              WHERE p.tenant_id = t.id AND p.ended_at IS NOT NULL),
            (SELECT count(*) FROM live_survey_responses r WHERE r.tenant_id = t.id);
    END LOOP;
    PERFORM set_config('app.tenant_id', caller_tenant, true);
END
$$;
REVOKE ALL ON FUNCTION platform_tenant_figures() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_tenant_figures() TO mingle_app;

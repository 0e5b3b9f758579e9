-- Issue 16, one-to-one calls (DESIGN §11): a call between two people of a tenant, its outcome
-- and times for the call log, and the rule that a person is in at most one live call, which the
-- database keeps (call_lines). A missed call is a message in the two people's conversation.

CREATE TABLE calls (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    caller_id   uuid NOT NULL,
    callee_id   uuid NOT NULL,
    -- video, or audio only
    video       boolean NOT NULL,
    -- when it started ringing (a busy call: when it was tried)
    created_at  timestamptz NOT NULL DEFAULT now(),
    answered_at timestamptz,
    ended_at    timestamptz,
    -- NULL while the call is live; set with ended_at
    outcome     text CHECK (outcome IN ('answered', 'declined', 'cancelled', 'missed', 'busy', 'dropped')),
    -- who ended an answered call, declined, cancelled, or whose page was gone (dropped)
    ended_by    uuid,
    PRIMARY KEY (tenant_id, id),
    CHECK (caller_id <> callee_id),
    CHECK ((outcome IS NULL) = (ended_at IS NULL)),
    -- only an answered call can end as answered or dropped, and it cannot end otherwise
    CHECK (outcome IS NULL OR (answered_at IS NOT NULL) = (outcome IN ('answered', 'dropped'))),
    FOREIGN KEY (tenant_id, caller_id) REFERENCES memberships (tenant_id, user_id),
    FOREIGN KEY (tenant_id, callee_id) REFERENCES memberships (tenant_id, user_id),
    FOREIGN KEY (tenant_id, ended_by) REFERENCES memberships (tenant_id, user_id)
);
-- the call log between two people, newest first
CREATE INDEX calls_by_pair ON calls (tenant_id, least(caller_id, callee_id), greatest(caller_id, callee_id), created_at DESC);
-- live calls, for a starting node to resume
CREATE INDEX calls_live ON calls (tenant_id) WHERE ended_at IS NULL;
ALTER TABLE calls ENABLE ROW LEVEL SECURITY;
ALTER TABLE calls FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON calls
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT ON calls TO mingle_app;
GRANT UPDATE (answered_at, ended_at, outcome, ended_by) ON calls TO mingle_app;

-- One live call per person: a call's two lines are inserted when it starts and deleted when it
-- ends, so a second live call of the same person conflicts on the primary key (the callee's
-- line: busy; the caller's: refused).
CREATE TABLE call_lines (
    tenant_id uuid NOT NULL,
    user_id   uuid NOT NULL,
    call_id   uuid NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id),
    -- checked at commit: a call's start takes both lines (in a fixed order, so two people
    -- calling each other at once cannot deadlock) before it knows whether it rings or is busy
    FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX call_lines_by_call ON call_lines (tenant_id, call_id);
ALTER TABLE call_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE call_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON call_lines
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON call_lines TO mingle_app;

-- A message that stands for a call (a missed call, from the caller): unread, pushed and emailed
-- like any other message of the conversation.
ALTER TABLE messages ADD COLUMN call_id uuid;
ALTER TABLE messages ADD CONSTRAINT messages_call_fkey FOREIGN KEY (tenant_id, call_id) REFERENCES calls (tenant_id, id);

-- Live calls (ended_at NULL) across tenants, so a starting node loads their engines and their
-- timers (ring time, away grace) run even if nobody reconnects. Ids only; each engine reads its
-- own tenant's rows inside that tenant's row-level-security scope. Like live_sessions_to_resume
-- (0015) it visits one tenant at a time and restores the caller's setting.
CREATE FUNCTION calls_to_resume(max_rows integer)
RETURNS TABLE (tenant_id uuid, call_id uuid)
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
            SELECT c.tenant_id, c.id FROM calls c
            WHERE c.tenant_id = t.id AND c.ended_at IS NULL
            ORDER BY c.created_at
            LIMIT max_rows;
    END LOOP;
    PERFORM set_config('app.tenant_id', caller_tenant, true);
END
$$;
REVOKE ALL ON FUNCTION calls_to_resume(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION calls_to_resume(integer) TO mingle_app;

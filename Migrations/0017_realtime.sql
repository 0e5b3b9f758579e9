-- Issue 11: the real-time layer.

-- One node runs an activity (a speed-networking session, later a meeting, call, watch room) at
-- a time: it takes the activity's lease before loading it and renews it while it runs. A lease
-- that is not renewed expires, so a node that died frees its activities. `fencing` grows each
-- time the lease changes hands (checked on writes once several nodes run, issue 19).
-- A global table (like `tenants`): the app role reaches it only through the functions below,
-- which name the tenant an activity belongs to (`of_tenant`, not a tenant_id under RLS).
CREATE TABLE activity_leases (
    kind        text NOT NULL CHECK (kind ~ '^[a-z-]{1,40}$'),
    activity_id uuid NOT NULL,
    of_tenant   uuid NOT NULL REFERENCES tenants (id),
    node_id     uuid NOT NULL,
    fencing     bigint NOT NULL DEFAULT 1,
    expires_at  timestamptz NOT NULL,
    -- the tenant leads: another tenant's id (RLS hides it) is a different lease, so a lease
    -- never tells a tenant that some other tenant has an activity of that id
    PRIMARY KEY (of_tenant, kind, activity_id)
);
ALTER TABLE activity_leases ENABLE ROW LEVEL SECURITY;

-- Takes (or renews) the lease for `node`: free, expired or already its own. NULL when another
-- node holds it.
CREATE FUNCTION activity_lease_take(p_kind text, p_id uuid, p_tenant uuid, p_node uuid, p_seconds double precision)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    INSERT INTO activity_leases AS l (kind, activity_id, of_tenant, node_id, fencing, expires_at)
    VALUES (p_kind, p_id, p_tenant, p_node, 1, clock_timestamp() + make_interval(secs => p_seconds))
    ON CONFLICT (of_tenant, kind, activity_id) DO UPDATE
        SET node_id = excluded.node_id, expires_at = excluded.expires_at,
            fencing = CASE WHEN l.node_id = excluded.node_id THEN l.fencing ELSE l.fencing + 1 END
        WHERE l.node_id = excluded.node_id OR l.expires_at < clock_timestamp()
    RETURNING fencing
$$;

-- Renews the leases `node` still holds among those named; returns the ones renewed.
CREATE FUNCTION activity_lease_renew(p_node uuid, p_tenants uuid[], p_kinds text[], p_ids uuid[], p_seconds double precision)
RETURNS TABLE (of_tenant uuid, kind text, activity_id uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    UPDATE activity_leases l SET expires_at = clock_timestamp() + make_interval(secs => p_seconds)
    FROM unnest(p_tenants, p_kinds, p_ids) AS held(of_tenant, kind, activity_id)
    WHERE l.of_tenant = held.of_tenant AND l.kind = held.kind AND l.activity_id = held.activity_id AND l.node_id = p_node
    RETURNING l.of_tenant, l.kind, l.activity_id
$$;

CREATE FUNCTION activity_lease_release(p_tenant uuid, p_kind text, p_id uuid, p_node uuid)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    DELETE FROM activity_leases WHERE of_tenant = p_tenant AND kind = p_kind AND activity_id = p_id AND node_id = p_node
$$;

GRANT EXECUTE ON FUNCTION activity_lease_take(text, uuid, uuid, uuid, double precision),
    activity_lease_renew(uuid, uuid[], text[], uuid[], double precision), activity_lease_release(uuid, text, uuid, uuid) TO mingle_app;

-- Pushes to open pages (DESIGN §9): every new message, new notification and read marker is
-- announced on the channel `mingle_push` when its transaction commits; each node sends what
-- changed to the pages it holds. Payload: {"t": tenant, "k": kind, …}.
CREATE FUNCTION notify_push_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mingle_push', json_build_object('t', NEW.tenant_id, 'k', 'message', 'id', NEW.id)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER messages_push AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION notify_push_message();

CREATE FUNCTION notify_push_notification() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pg_notify('mingle_push', json_build_object('t', NEW.tenant_id, 'k', 'notification', 'u', NEW.user_id,
                                                           'text', NEW.text, 'link', NEW.link)::text);
    ELSE
        PERFORM pg_notify('mingle_push', json_build_object('t', NEW.tenant_id, 'k', 'counts', 'u', NEW.user_id)::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_push AFTER INSERT OR UPDATE OF read_at ON notifications
    FOR EACH ROW EXECUTE FUNCTION notify_push_notification();

CREATE FUNCTION notify_push_read() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.last_read_id IS DISTINCT FROM OLD.last_read_id THEN
        PERFORM pg_notify('mingle_push', json_build_object('t', NEW.tenant_id, 'k', 'counts', 'u', NEW.user_id)::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER conversation_members_push AFTER UPDATE OF last_read_id ON conversation_members
    FOR EACH ROW EXECUTE FUNCTION notify_push_read();

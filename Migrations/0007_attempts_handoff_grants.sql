-- Sign-in attempts are counted before the password is checked, one request at a time per
-- key, so a burst of parallel guesses cannot all see "fewer than five". Returns the counts
-- (this attempt included) in the order of `keys`.
CREATE FUNCTION login_attempt_begin(keys text[], window_length interval) RETURNS integer[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    k text;
    counts integer[] := '{}';
BEGIN
    -- Always in sorted order, so two requests sharing keys cannot deadlock.
    FOR k IN SELECT DISTINCT unnest(keys) ORDER BY 1 LOOP
        PERFORM pg_advisory_xact_lock(hashtext('login:' || k));
    END LOOP;
    DELETE FROM login_failures WHERE at < now() - interval '1 day';
    INSERT INTO login_failures (key) SELECT unnest(keys);
    FOREACH k IN ARRAY keys LOOP
        counts := counts || (SELECT count(*)::integer FROM login_failures
                             WHERE key = k AND at > now() - window_length);
    END LOOP;
    RETURN counts;
END $$;

-- A successful sign-in: the account's attempts from that address no longer count, and this
-- one attempt is taken off the address's count.
CREATE FUNCTION login_attempt_succeeded(pair text, address text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    DELETE FROM login_failures WHERE key = pair;
    DELETE FROM login_failures WHERE ctid = (SELECT ctid FROM login_failures WHERE key = address
                                            ORDER BY at DESC LIMIT 1);
$$;

-- A reset also lifts the sign-in limit on that account (the limit's message says so).
CREATE OR REPLACE FUNCTION password_reset_consume(hash bytea, new_password_hash text) RETURNS uuid
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE owner uuid;
BEGIN
    UPDATE password_resets SET used_at = now()
    WHERE token_hash = hash AND used_at IS NULL AND expires_at > now()
    RETURNING user_id INTO owner;
    IF owner IS NULL THEN RETURN NULL; END IF;
    UPDATE users SET password_hash = new_password_hash WHERE id = owner;
    UPDATE password_resets SET used_at = now() WHERE user_id = owner AND used_at IS NULL;
    DELETE FROM web_sessions WHERE user_id = owner;
    DELETE FROM login_failures
    WHERE key LIKE 'signin:' || (SELECT username FROM users WHERE id = owner) || '|%';
    RETURN owner;
END $$;

-- Console hand-offs are their own kind of row: never usable as a session, taken exactly once.
ALTER TABLE web_sessions ADD COLUMN purpose text NOT NULL DEFAULT 'session'
    CHECK (purpose IN ('session', 'handoff'));

CREATE OR REPLACE FUNCTION session_lookup(hash bytea, on_host text)
RETURNS TABLE (user_id uuid, username text, is_platform_admin boolean, acting_tenant uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT s.user_id, u.username, u.is_platform_admin, s.acting_tenant
    FROM web_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = hash AND s.host = on_host AND s.expires_at > now() AND s.purpose = 'session'
$$;

-- Only inside platform access: the console's audited "open organizer portal".
CREATE FUNCTION handoff_create(hash bytea, on_host text, tenant uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT platform_access() THEN
        RAISE EXCEPTION 'platform access required' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO web_sessions (token_hash, user_id, host, acting_tenant, expires_at, purpose)
    SELECT hash, actor_id, on_host, tenant, now() + interval '60 seconds', 'handoff'
    FROM platform_audit WHERE id = current_setting('app.platform_access')::uuid;
END $$;

-- One statement finds and deletes: two requests with the same token cannot both succeed.
CREATE FUNCTION handoff_take(hash bytea, on_host text) RETURNS TABLE (user_id uuid, acting_tenant uuid)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    DELETE FROM web_sessions s USING users u
    WHERE s.token_hash = hash AND s.host = on_host AND s.purpose = 'handoff' AND s.expires_at > now()
      AND u.id = s.user_id AND u.is_platform_admin
    RETURNING s.user_id, s.acting_tenant
$$;

GRANT EXECUTE ON FUNCTION login_attempt_begin(text[], interval), login_attempt_succeeded(text, text),
    handoff_create(bytea, text, uuid), handoff_take(bytea, text) TO mingle_app;

-- Grants no wider than the code needs.
REVOKE DELETE ON images FROM mingle_app;
REVOKE UPDATE, DELETE ON memberships FROM mingle_app;
GRANT UPDATE (role, status) ON memberships TO mingle_app;

-- Branding changes need an active organizer of that tenant (or platform access), not merely
-- a transaction in which the tenant is set.
DROP POLICY tenants_write ON tenants;
CREATE POLICY tenants_write ON tenants FOR UPDATE TO mingle_app
    USING ((id = app_tenant_id() AND EXISTS (
               SELECT 1 FROM memberships m WHERE m.tenant_id = tenants.id AND m.user_id = app_user_id()
               AND m.role = 'organizer' AND m.status = 'active'))
           OR (SELECT platform_access()))
    WITH CHECK (id = app_tenant_id() OR (SELECT platform_access()));

-- Replaced by login_attempt_begin / login_attempt_succeeded.
DROP FUNCTION login_failures_count(text, interval);
DROP FUNCTION login_failure_record(text[]);
DROP FUNCTION login_failures_clear(text);

-- Delivered mail keeps its envelope for the console but not its body: bodies can hold
-- single-use links, which have no business sitting in the database once sent.
CREATE OR REPLACE FUNCTION outbox_delivered(message uuid) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    UPDATE outbox SET status = 'sent', sent_at = now(), last_error = NULL, body_text = '', body_html = NULL
    WHERE id = message
$$;

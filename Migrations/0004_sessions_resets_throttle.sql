-- Sign-in state. The app role has no direct access to these tables: every step goes
-- through one narrow function, so no request can list sessions or reset tokens.

CREATE TABLE web_sessions (
    token_hash      bytea PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    host            text NOT NULL,
    -- set when a platform admin opened this tenant's organizer portal from the console
    acting_tenant   uuid REFERENCES tenants (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
ALTER TABLE web_sessions ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION session_create(hash bytea, owner uuid, on_host text, lifetime interval, acting uuid)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    DELETE FROM web_sessions WHERE expires_at < now();
    INSERT INTO web_sessions (token_hash, user_id, host, acting_tenant, expires_at)
    VALUES (hash, owner, on_host, acting, now() + lifetime);
$$;

CREATE FUNCTION session_lookup(hash bytea, on_host text)
RETURNS TABLE (user_id uuid, username text, is_platform_admin boolean, acting_tenant uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT s.user_id, u.username, u.is_platform_admin, s.acting_tenant
    FROM web_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = hash AND s.host = on_host AND s.expires_at > now()
$$;

CREATE FUNCTION session_delete(hash bytea) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ DELETE FROM web_sessions WHERE token_hash = hash $$;

-- After a password change: every session of that user except the one making the change.
CREATE FUNCTION session_delete_others(owner uuid, keep bytea) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ DELETE FROM web_sessions WHERE user_id = owner AND token_hash IS DISTINCT FROM keep $$;

CREATE TABLE password_resets (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
ALTER TABLE password_resets ENABLE ROW LEVEL SECURITY;

-- Accounts a "forgot password" request names, by username or by email.
CREATE FUNCTION password_reset_targets(login text)
RETURNS TABLE (id uuid, username text, email text, first_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT id, username, email, first_name FROM users
    WHERE username = lower(login) OR lower(email) = lower(login)
    ORDER BY username LIMIT 5
$$;

CREATE FUNCTION password_reset_store(hash bytea, owner uuid, lifetime interval) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    DELETE FROM password_resets WHERE expires_at < now() - interval '1 day';
    INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (hash, owner, now() + lifetime);
$$;

CREATE FUNCTION password_reset_valid(hash bytea) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM password_resets
                     WHERE token_hash = hash AND used_at IS NULL AND expires_at > now()) $$;

-- Single use: the UPDATE claims the token; a second call finds nothing to claim.
CREATE FUNCTION password_reset_consume(hash bytea, new_password_hash text) RETURNS uuid
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
    RETURN owner;
END $$;

-- Failed sign-ins, counted per (account, address) and per address: an attacker elsewhere
-- cannot lock a user out, because the user's own (account, address) key stays clean.
CREATE TABLE login_failures (
    key     text NOT NULL,
    at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);
ALTER TABLE login_failures ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION login_failures_count(wanted text, window_length interval) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT count(*)::integer FROM login_failures WHERE key = wanted AND at > now() - window_length $$;

CREATE FUNCTION login_failure_record(keys text[]) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    DELETE FROM login_failures WHERE at < now() - interval '1 day';
    INSERT INTO login_failures (key) SELECT unnest(keys);
$$;

CREATE FUNCTION login_failures_clear(wanted text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ DELETE FROM login_failures WHERE key = wanted $$;

GRANT EXECUTE ON FUNCTION session_create(bytea, uuid, text, interval, uuid),
    session_lookup(bytea, text), session_delete(bytea), session_delete_others(uuid, bytea),
    password_reset_targets(text), password_reset_store(bytea, uuid, interval),
    password_reset_valid(bytea), password_reset_consume(bytea, text),
    login_failures_count(text, interval), login_failure_record(text[]), login_failures_clear(text)
    TO mingle_app;

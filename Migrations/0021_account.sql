-- Issue 14: the member's account area — leaving a community, which emails a member gets in
-- it, changing the email address (confirmed at the new one), and the communities a person
-- belongs to (to copy a profile from).

-- Leaving keeps the membership row (payments, messages and pairings refer to it) as 'left';
-- joining again turns it back into a waiting membership.
ALTER TABLE memberships DROP CONSTRAINT memberships_status_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_status_check
    CHECK (status IN ('awaiting_payment', 'active', 'suspended', 'left'));
ALTER TABLE memberships ADD COLUMN left_at timestamptz;

-- Which emails the member gets in this community (the in-app messages and notices stay).
ALTER TABLE memberships ADD COLUMN email_messages boolean NOT NULL DEFAULT true;
ALTER TABLE memberships ADD COLUMN email_connections boolean NOT NULL DEFAULT true;
ALTER TABLE memberships ADD COLUMN email_sessions boolean NOT NULL DEFAULT true;
GRANT UPDATE (left_at, email_messages, email_connections, email_sessions) ON memberships TO mingle_app;

-- A change of address waits here until the link mailed to the new address is followed:
-- the token is stored as SHA-256, works once, and expires. Global like `users`: a person's
-- own rows only.
CREATE TABLE email_changes (
    token_hash  bytea PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email   text NOT NULL CHECK (length(new_email) BETWEEN 3 AND 254 AND new_email LIKE '%_@_%'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX email_changes_user ON email_changes (user_id);
ALTER TABLE email_changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON email_changes TO mingle_app
    USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, DELETE ON email_changes TO mingle_app;

CREATE INDEX users_email_lower ON users (lower(email));

-- Whether another account already uses an address (the caller's own does not count).
CREATE FUNCTION email_in_use(wanted text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(wanted) AND id IS DISTINCT FROM app_user_id()) $$;

-- Follows a change link once: the account's address becomes the new one (and counts as
-- confirmed), unless another account took that address meanwhile (`taken`). No row for an
-- unknown, used or expired token. `old_email` is where the notice of the change goes.
CREATE FUNCTION email_change_consume(hash bytea)
RETURNS TABLE (owner uuid, old_email text, new_email text, taken boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    change email_changes%ROWTYPE;
    previous text;
BEGIN
    UPDATE email_changes c SET used_at = now()
    WHERE c.token_hash = hash AND c.used_at IS NULL AND c.expires_at > now()
    RETURNING * INTO change;
    IF NOT FOUND THEN RETURN; END IF;
    -- Two accounts confirming the same address at once: one after the other.
    PERFORM pg_advisory_xact_lock(hashtext('email:' || lower(change.new_email)));
    IF EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = lower(change.new_email) AND u.id <> change.user_id) THEN
        RETURN QUERY SELECT change.user_id, NULL::text, change.new_email, true;
        RETURN;
    END IF;
    SELECT u.email INTO previous FROM users u WHERE u.id = change.user_id FOR UPDATE;
    UPDATE users u SET email = change.new_email, email_confirmed_at = now() WHERE u.id = change.user_id;
    DELETE FROM email_changes c WHERE c.user_id = change.user_id AND c.used_at IS NULL;
    RETURN QUERY SELECT change.user_id, previous, change.new_email, false;
END $$;

-- The active communities the caller (app.user_id) is an active member of, to copy a profile
-- from. Tenant tables force RLS on their owner too, so it visits one tenant at a time and
-- puts the caller's setting back.
CREATE FUNCTION account_communities()
RETURNS TABLE (tenant_id uuid, slug text, name text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    t record;
    caller_tenant text := coalesce(current_setting('app.tenant_id', true), '');
    me uuid := app_user_id();
BEGIN
    IF me IS NULL THEN RETURN; END IF;
    FOR t IN SELECT tn.id, tn.slug, tn.name FROM tenants tn WHERE tn.status = 'active' ORDER BY tn.name LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        IF EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = t.id AND m.user_id = me AND m.status = 'active') THEN
            tenant_id := t.id; slug := t.slug; name := t.name;
            RETURN NEXT;
        END IF;
    END LOOP;
    PERFORM set_config('app.tenant_id', caller_tenant, true);
END $$;

REVOKE ALL ON FUNCTION email_in_use(text), email_change_consume(bytea), account_communities() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION email_in_use(text), email_change_consume(bytea), account_communities() TO mingle_app;

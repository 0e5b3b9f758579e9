-- Issue 14, becoming an organizer: requests for a site of one's own, made on the platform home
-- and decided by platform admins in the console. A global table: nobody is known when a request
-- is made, so the app role reaches it only through the two narrow functions below; admins read
-- and decide through platform access (begin_platform_access: checked and audited).

CREATE TABLE site_requests (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text NOT NULL CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'),
    site_name       text NOT NULL CHECK (length(site_name) BETWEEN 1 AND 120),
    first_name      text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 80),
    last_name       text NOT NULL DEFAULT '' CHECK (length(last_name) <= 80),
    email           text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
    -- the username the requester would like; empty: the admin chooses at approval
    username        text NOT NULL DEFAULT '' CHECK (username = '' OR username ~ '^[a-z0-9][a-z0-9_.-]{1,31}$'),
    about           text NOT NULL DEFAULT '' CHECK (length(about) <= 2000),
    client_address  text NOT NULL DEFAULT '' CHECK (length(client_address) <= 100),
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'declined')),
    decline_reason  text NOT NULL DEFAULT '' CHECK (length(decline_reason) <= 2000),
    decided_by      uuid REFERENCES users (id),
    decided_at      timestamptz,
    -- the site made on approval
    tenant_id       uuid REFERENCES tenants (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status <> 'approved' OR tenant_id IS NOT NULL),
    CHECK (status <> 'declined' OR decline_reason <> '')
);
-- One pending request per address: the check on the home page and the console's list rely on it.
CREATE UNIQUE INDEX site_requests_pending_slug ON site_requests (slug) WHERE status = 'pending';
CREATE INDEX site_requests_by_status ON site_requests (status, created_at);
CREATE INDEX site_requests_pending_email ON site_requests (lower(email)) WHERE status = 'pending';
CREATE INDEX site_requests_pending_address ON site_requests (client_address) WHERE status = 'pending';
ALTER TABLE site_requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY site_requests_platform ON site_requests TO mingle_app
    USING ((SELECT platform_access())) WITH CHECK ((SELECT platform_access()));
GRANT SELECT ON site_requests TO mingle_app;
GRANT UPDATE (status, decline_reason, decided_by, decided_at, tenant_id) ON site_requests TO mingle_app;

-- Is this address free for a new request: no site has it and no request waits for it.
-- (Its format and the reserved names are the app's rule, checked before asking.)
CREATE FUNCTION site_slug_free(wanted text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN NOT EXISTS (SELECT 1 FROM tenants WHERE slug = lower(wanted))
       AND NOT EXISTS (SELECT 1 FROM site_requests WHERE slug = lower(wanted) AND status = 'pending');
END $$;

-- Files a request, or says why not: 'taken' (a site or a waiting request has the address) or
-- 'too_many' (this email address or this client already has max_pending requests waiting).
-- Submissions are serialized, so two people asking for one address at once get one request.
CREATE FUNCTION site_request_submit(p_slug text, p_site_name text, p_first_name text, p_last_name text,
                                    p_email text, p_username text, p_about text, p_client_address text,
                                    max_pending integer)
RETURNS TABLE (request_id uuid, problem text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE new_id uuid;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('site_request_submit'));
    IF NOT site_slug_free(p_slug) THEN
        RETURN QUERY SELECT NULL::uuid, 'taken'::text;
        RETURN;
    END IF;
    IF (SELECT count(*) FROM site_requests WHERE status = 'pending' AND lower(email) = lower(p_email)) >= max_pending
       OR (SELECT count(*) FROM site_requests WHERE status = 'pending' AND client_address = p_client_address) >= max_pending THEN
        RETURN QUERY SELECT NULL::uuid, 'too_many'::text;
        RETURN;
    END IF;
    INSERT INTO site_requests (slug, site_name, first_name, last_name, email, username, about, client_address)
    VALUES (lower(p_slug), p_site_name, p_first_name, p_last_name, p_email, lower(p_username), p_about, p_client_address)
    RETURNING id INTO new_id;
    RETURN QUERY SELECT new_id, NULL::text;
END $$;

-- The sites the signed-in person (app.user_id) belongs to, for the platform home: name, slug,
-- role and status of each membership in an active tenant. Memberships force row-level
-- security on their owner too, so, like platform_tenant_figures, it visits one tenant at a time
-- and restores the caller's setting.
CREATE FUNCTION my_sites()
RETURNS TABLE (slug text, name text, role text, status text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    t record;
    me uuid := app_user_id();
    caller_tenant text := coalesce(current_setting('app.tenant_id', true), '');
BEGIN
    IF me IS NULL THEN
        RETURN;
    END IF;
    FOR t IN SELECT tn.id, tn.slug, tn.name FROM tenants tn WHERE tn.status = 'active' ORDER BY lower(tn.name), tn.slug LOOP
        PERFORM set_config('app.tenant_id', t.id::text, true);
        RETURN QUERY SELECT t.slug, t.name, m.role, m.status FROM memberships m
            WHERE m.tenant_id = t.id AND m.user_id = me;
    END LOOP;
    PERFORM set_config('app.tenant_id', caller_tenant, true);
END $$;

-- The console's badge: how many requests wait, asked on every platform page a platform admin
-- opens (a count only, and only for an admin; nothing of the requests themselves).
CREATE FUNCTION site_requests_waiting(admin uuid) RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = admin AND is_platform_admin) THEN
        RETURN 0;
    END IF;
    RETURN (SELECT count(*) FROM site_requests WHERE status = 'pending');
END $$;

REVOKE ALL ON FUNCTION site_requests_waiting(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION site_requests_waiting(uuid) TO mingle_app;
REVOKE ALL ON FUNCTION site_slug_free(text), site_request_submit(text, text, text, text, text, text, text, text, integer),
    my_sites() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION site_slug_free(text), site_request_submit(text, text, text, text, text, text, text, text, integer),
    my_sites() TO mingle_app;

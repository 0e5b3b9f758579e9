-- Global tables: tenants and users. RLS is enabled (the app role sees only what the
-- policies allow) but not forced, so the narrow SECURITY DEFINER functions below, owned by
-- the owner role, can answer the questions asked before anyone is known.

-- Cross-tenant access by a platform admin: only inside a transaction that began with
-- begin_platform_access(), which checks the actor and writes the audit row.
CREATE TABLE platform_audit (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    actor_id    uuid NOT NULL,
    tenant_id   uuid,
    action      text NOT NULL,
    detail      text NOT NULL DEFAULT '',
    txid        bigint NOT NULL DEFAULT txid_current(),
    at          timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE platform_audit ENABLE ROW LEVEL SECURITY;

CREATE TABLE tenants (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    title_text      text NOT NULL DEFAULT '' CHECK (length(title_text) <= 80),
    header_text     text NOT NULL DEFAULT '' CHECK (length(header_text) <= 200),
    footer_text     text NOT NULL DEFAULT '' CHECK (length(footer_text) <= 500),
    footer_links    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(footer_links) = 'array'),
    accent_color    text NOT NULL DEFAULT '#4f46e5' CHECK (accent_color ~ '^#[0-9a-f]{6}$'),
    logo_image_id   uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;

CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username            text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9_.-]{1,31}$'),
    email               text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%'),
    first_name          text NOT NULL DEFAULT '' CHECK (length(first_name) <= 80),
    last_name           text NOT NULL DEFAULT '' CHECK (length(last_name) <= 80),
    password_hash       text,
    is_platform_admin   boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (username);
ALTER TABLE users ENABLE ROW LEVEL SECURITY;

CREATE FUNCTION platform_access() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (
        SELECT 1 FROM platform_audit
        WHERE id = nullif(current_setting('app.platform_access', true), '')::uuid
          AND txid = txid_current())
$$;

-- The one path across tenants: checks that the actor is a platform admin, records why,
-- and sets the tenant (or none, for platform-wide lists) for the rest of this transaction.
CREATE FUNCTION begin_platform_access(actor uuid, target_tenant uuid, action text, detail text)
RETURNS uuid LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE audit_id uuid;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = actor AND is_platform_admin) THEN
        RAISE EXCEPTION 'not a platform admin' USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO platform_audit (actor_id, tenant_id, action, detail)
    VALUES (actor, target_tenant, action, detail) RETURNING id INTO audit_id;
    PERFORM set_config('app.platform_access', audit_id::text, true);
    PERFORM set_config('app.tenant_id', coalesce(target_tenant::text, ''), true);
    PERFORM set_config('app.user_id', actor::text, true);
    RETURN audit_id;
END $$;

CREATE FUNCTION tenant_by_slug(wanted text)
RETURNS TABLE (id uuid, slug text, name text, status text, title_text text, header_text text,
               footer_text text, footer_links jsonb, accent_color text, logo_image_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT id, slug, name, status, title_text, header_text, footer_text, footer_links,
           accent_color, logo_image_id
    FROM tenants WHERE slug = lower(wanted)
$$;

CREATE FUNCTION credentials_by_username(wanted text)
RETURNS TABLE (id uuid, password_hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT id, password_hash FROM users WHERE username = lower(wanted) $$;

CREATE FUNCTION username_taken(wanted text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM users WHERE username = lower(wanted)) $$;

CREATE FUNCTION set_tenant_status(target uuid, new_status text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT platform_access() THEN
        RAISE EXCEPTION 'platform access required' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE tenants SET status = new_status, updated_at = now() WHERE id = target;
END $$;

-- Tells other app nodes to drop their cached copy of a tenant.
CREATE FUNCTION notify_tenant_changed() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN PERFORM pg_notify('tenant_changed', NEW.slug); RETURN NEW; END $$;
CREATE TRIGGER tenants_changed AFTER UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();

CREATE POLICY tenants_read ON tenants FOR SELECT TO mingle_app
    USING (id = app_tenant_id() OR (SELECT platform_access()));
CREATE POLICY tenants_write ON tenants FOR UPDATE TO mingle_app
    USING (id = app_tenant_id() OR (SELECT platform_access()))
    WITH CHECK (id = app_tenant_id() OR (SELECT platform_access()));
CREATE POLICY tenants_create ON tenants FOR INSERT TO mingle_app
    WITH CHECK ((SELECT platform_access()));
GRANT SELECT, INSERT ON tenants TO mingle_app;
-- status changes only through set_tenant_status()
GRANT UPDATE (name, title_text, header_text, footer_text, footer_links, accent_color,
              logo_image_id, updated_at) ON tenants TO mingle_app;

GRANT EXECUTE ON FUNCTION platform_access(), begin_platform_access(uuid, uuid, text, text),
    tenant_by_slug(text), credentials_by_username(text), username_taken(text),
    set_tenant_status(uuid, text) TO mingle_app;

CREATE POLICY platform_audit_read ON platform_audit FOR SELECT TO mingle_app
    USING ((SELECT platform_access()));
GRANT SELECT ON platform_audit TO mingle_app;

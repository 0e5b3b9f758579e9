-- Tenant tables: tenant_id NOT NULL, RLS enabled AND forced, one fail-closed policy,
-- tenant_id leading every unique key and foreign key.

CREATE TABLE memberships (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    user_id     uuid NOT NULL REFERENCES users (id),
    role        text NOT NULL CHECK (role IN ('organizer', 'member')),
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('awaiting_payment', 'active', 'suspended')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memberships
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships TO mingle_app;

-- Re-encoded uploads (logos now, profile pictures later); bytes live here so every node
-- serves the same file.
CREATE TABLE images (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    sha256      text NOT NULL,
    mime        text NOT NULL CHECK (mime IN ('image/png', 'image/jpeg')),
    width       integer NOT NULL CHECK (width > 0),
    height      integer NOT NULL CHECK (height > 0),
    bytes       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE images ENABLE ROW LEVEL SECURITY;
ALTER TABLE images FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON images
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
GRANT SELECT, INSERT, DELETE ON images TO mingle_app;

ALTER TABLE tenants ADD CONSTRAINT tenants_logo_fkey
    FOREIGN KEY (id, logo_image_id) REFERENCES images (tenant_id, id);

-- A user row is visible to that user, to platform admins, and to the members of a tenant
-- both belong to (the memberships subqueries are themselves confined to the current tenant).
CREATE POLICY users_read ON users FOR SELECT TO mingle_app USING (
    id = app_user_id()
    OR (SELECT platform_access())
    OR (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.tenant_id = app_tenant_id())
        AND EXISTS (SELECT 1 FROM memberships v WHERE v.user_id = app_user_id() AND v.tenant_id = app_tenant_id()
                    AND v.status = 'active'))
);
CREATE POLICY users_create ON users FOR INSERT TO mingle_app
    WITH CHECK (NOT is_platform_admin);
CREATE POLICY users_update ON users FOR UPDATE TO mingle_app
    USING (id = app_user_id() OR (SELECT platform_access()))
    WITH CHECK (id = app_user_id() OR (SELECT platform_access()));
GRANT SELECT, INSERT ON users TO mingle_app;
GRANT UPDATE (email, first_name, last_name, password_hash) ON users TO mingle_app;

-- Times in the viewer's own zone (issue 14). A person's zone is taken from their browser the
-- first time it is known and can be changed in their account; a tenant has a default zone,
-- which the scheduling form starts with and which anonymous visitors without a browser zone see.
-- Names are IANA identifiers, checked by the server (PostgreSQL's own list may differ).
ALTER TABLE users ADD COLUMN time_zone text CHECK (length(time_zone) BETWEEN 1 AND 64);
GRANT UPDATE (time_zone) ON users TO mingle_app;

ALTER TABLE tenants ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64);
GRANT UPDATE (time_zone) ON tenants TO mingle_app;

-- The session look-up also says which zone the person reads times in.
DROP FUNCTION session_lookup(bytea, text);
CREATE FUNCTION session_lookup(hash bytea, on_host text)
RETURNS TABLE (user_id uuid, username text, is_platform_admin boolean, acting_tenant uuid, email_confirmed boolean,
               time_zone text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 1
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.user_id, u.username, u.is_platform_admin, s.acting_tenant, u.email_confirmed_at IS NOT NULL, u.time_zone
    FROM web_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = hash AND s.host = on_host AND s.expires_at > now() AND s.purpose = 'session';
END $$;
GRANT EXECUTE ON FUNCTION session_lookup(bytea, text) TO mingle_app;

DROP FUNCTION tenant_by_slug(text);
CREATE FUNCTION tenant_by_slug(wanted text)
RETURNS TABLE (id uuid, slug text, name text, status text, title_text text, header_text text,
               footer_text text, footer_links jsonb, accent_color text, logo_image_id uuid, time_zone text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT id, slug, name, status, title_text, header_text, footer_text, footer_links,
           accent_color, logo_image_id, time_zone
    FROM tenants WHERE slug = lower(wanted)
$$;
GRANT EXECUTE ON FUNCTION tenant_by_slug(text) TO mingle_app;

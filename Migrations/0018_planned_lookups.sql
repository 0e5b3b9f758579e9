-- Every page view calls these two. A SECURITY DEFINER function in SQL is never inlined, and
-- PostgreSQL 15 plans its query again on every call: 0.2–0.4 ms each, more than the page's own
-- queries (issue 13). PL/pgSQL keeps each query's plan for the connection's life. The results
-- are the same as before.

-- RLS policies ask this of every row they cannot admit otherwise. Without an audited access in
-- this transaction there is nothing to look up (and no transaction id is taken for asking).
CREATE OR REPLACE FUNCTION platform_access() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    access_id uuid := nullif(current_setting('app.platform_access', true), '')::uuid;
BEGIN
    IF access_id IS NULL THEN
        RETURN false;
    END IF;
    RETURN EXISTS (SELECT 1 FROM platform_audit WHERE id = access_id AND txid = txid_current());
END $$;

CREATE OR REPLACE FUNCTION session_lookup(hash bytea, on_host text)
RETURNS TABLE (user_id uuid, username text, is_platform_admin boolean, acting_tenant uuid, email_confirmed boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 1
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.user_id, u.username, u.is_platform_admin, s.acting_tenant, u.email_confirmed_at IS NOT NULL
    FROM web_sessions s JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = hash AND s.host = on_host AND s.expires_at > now() AND s.purpose = 'session';
END $$;

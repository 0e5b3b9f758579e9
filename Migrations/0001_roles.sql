-- The app role (mingle_app) reaches only what later files grant it, table by table.
-- Roles themselves are cluster-wide and created by scripts/postgres.sh (or the operator).
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO mingle_app;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- The tenant and the signed-in user are set per transaction by the app (set_config(..., true)).
CREATE FUNCTION app_tenant_id() RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

GRANT EXECUTE ON FUNCTION app_tenant_id(), app_user_id() TO mingle_app;

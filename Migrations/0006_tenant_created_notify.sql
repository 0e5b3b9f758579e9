-- A node may have cached "no such tenant" for a slug; a new tenant must reach it too.
DROP TRIGGER tenants_changed ON tenants;
CREATE TRIGGER tenants_changed AFTER INSERT OR UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();

import Foundation
import PostgresNIO
import Store
import Testing
import TestSupport

/// The schema itself, read from PostgreSQL's catalogue: a new table or role grant that breaks
/// the isolation rules of DESIGN §2 fails here without anyone writing a test for it.
@Suite struct CatalogueTests {
    @Test func everyTenantTableHasRowLevelSecurityEnabledAndForced() async throws {
        try await withTestDatabase { db in
            // act
            let rows = try await db.owner.query("""
                SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND a.attnotnull
                WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY c.relname
                """).all((String, Bool, Bool).self)
            // check
            #expect(rows.count >= 2, "tenant tables found: \(rows.map(\.0))")
            for (table, enabled, forced) in rows {
                #expect(enabled, "\(table): row-level security is not enabled")
                #expect(forced, "\(table): row-level security is not forced")
            }
        }
    }

    @Test func everyTenantTableHasTheFailClosedPolicyOnTenantID() async throws {
        try await withTestDatabase { db in
            // act
            let rows = try await db.owner.query("""
                SELECT c.relname,
                       coalesce(array_agg(p.qual) FILTER (WHERE p.polname IS NOT NULL), '{}')::text[],
                       coalesce(array_agg(p.withcheck) FILTER (WHERE p.polname IS NOT NULL), '{}')::text[]
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND a.attnotnull
                LEFT JOIN (SELECT polrelid, polname, pg_get_expr(polqual, polrelid) AS qual,
                                  pg_get_expr(polwithcheck, polrelid) AS withcheck FROM pg_policy) p ON p.polrelid = c.oid
                WHERE n.nspname = 'public' AND c.relkind = 'r' GROUP BY c.relname
                """).all((String, [String], [String]).self)
            // check
            let expected = "(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid)"
            for (table, quals, checks) in rows {
                #expect(quals == [expected], "\(table) policies: \(quals)")
                #expect(checks == [expected], "\(table) WITH CHECK: \(checks)")
            }
        }
    }

    @Test func uniqueKeysAndForeignKeysOfTenantTablesIncludeTenantID() async throws {
        try await withTestDatabase { db in
            // act: unique indexes, and foreign keys that point at another tenant table
            let uniques = try await db.owner.query("""
                SELECT c.relname, i.indexrelid::regclass::text,
                       bool_or(a.attname = 'tenant_id')
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                JOIN pg_attribute t ON t.attrelid = c.oid AND t.attname = 'tenant_id' AND t.attnotnull
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
                WHERE i.indisunique AND c.relnamespace = 'public'::regnamespace
                GROUP BY c.relname, i.indexrelid
                """).all((String, String, Bool).self)
            let foreignKeys = try await db.owner.query("""
                SELECT con.conname, target_tenant.attnum = ANY (con.confkey)
                FROM pg_constraint con
                JOIN pg_attribute target_tenant ON target_tenant.attrelid = con.confrelid AND target_tenant.attname = 'tenant_id'
                     AND target_tenant.attnotnull
                WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
                """).all((String, Bool).self)
            // check
            #expect(!uniques.isEmpty)
            for (table, index, hasTenant) in uniques { #expect(hasTenant, "\(table): unique index \(index) lacks tenant_id") }
            // A reference into a tenant table must name the target's tenant_id, so it cannot cross tenants.
            #expect(foreignKeys.contains { $0.0 == "tenants_logo_fkey" })
            for (name, pinsTenant) in foreignKeys { #expect(pinsTenant, "foreign key \(name) into a tenant table does not reference its tenant_id") }
        }
    }

    @Test func everyTableTheAppRoleCanReachHasRowLevelSecurity() async throws {
        try await withTestDatabase { db in
            // act
            let rows = try await db.owner.query("""
                SELECT c.relname, c.relrowsecurity
                FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                AND (has_table_privilege('mingle_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE')
                     OR has_any_column_privilege('mingle_app', c.oid, 'SELECT, INSERT, UPDATE'))
                """).all((String, Bool).self)
            // check
            #expect(rows.contains { $0.0 == "users" } && rows.contains { $0.0 == "memberships" })
            for (table, enabled) in rows { #expect(enabled, "\(table) is reachable by mingle_app without RLS") }
        }
    }

    @Test func appRoleIsNeitherSuperuserNorBypassesRLSNorOwnsAnything() async throws {
        try await withTestDatabase { db in
            // act
            let role = try await db.owner.query("""
                SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = 'mingle_app'
                """).first((Bool, Bool, Bool, Bool).self)
            let owned = try await db.owner.query("""
                SELECT count(*)::int FROM pg_class WHERE relowner = 'mingle_app'::regrole
                """).first(Int.self)
            let ownedFunctions = try await db.owner.query("""
                SELECT count(*)::int FROM pg_proc WHERE proowner = 'mingle_app'::regrole
                """).first(Int.self)
            // check
            let flags = try #require(role)
            #expect(flags == (false, false, false, false))
            #expect(owned == 0)
            #expect(ownedFunctions == 0)
        }
    }

    @Test func appRoleCannotDisableRowLevelSecurity() async throws {
        try await withTestDatabase { db in
            // act / check: ALTER TABLE needs ownership
            await expectRefusal("42501") {
                try await db.app.withoutTenant { try await $0.execute("ALTER TABLE memberships DISABLE ROW LEVEL SECURITY") }
            }
            await expectRefusal("42501") {
                try await db.app.withoutTenant { try await $0.execute("ALTER TABLE memberships NO FORCE ROW LEVEL SECURITY") }
            }
            // row_security = off makes a query that RLS would filter fail, never bypass
            let fixtures = Fixtures(db)
            let (tenant, _, _) = try await fixtures.populatedTenant("acme")
            await expectRefusal("42501") {
                try await db.app.withTenant(tenant) { tx in
                    try await tx.execute("SET LOCAL row_security = off")
                    _ = try await tx.query("SELECT count(*) FROM memberships").first(Int.self)
                }
            }
            let stillForced = try await db.owner.query("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'memberships'").first(Bool.self)
            #expect(stillForced == true)
        }
    }

    @Test func appRoleCannotReachSignInTablesDirectly() async throws {
        try await withTestDatabase { db in
            for table in ["web_sessions", "password_resets", "login_failures", "schema_migrations"] {
                await expectRefusal("42501", "mingle_app read \(table)") {
                    try await db.app.withoutTenant { _ = try await $0.query(PostgresQuery(unsafeSQL: "SELECT * FROM \(table)")).first(Int.self) }
                }
            }
        }
    }
}

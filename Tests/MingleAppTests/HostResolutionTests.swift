import Foundation
import Hummingbird
import Store
import Testing
import TestSupport

@Suite struct HostResolutionTests {
    @Test func rootHostIsThePlatformHome() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).tenant("acme", name: "Acme Circle")
            // act
            let page = try await web.get(TestApp.url(nil))
            // check
            #expect(page.status == .ok)
            #expect(page.contains("<title>Home · Mingle</title>"))
            #expect(!page.contains("Acme Circle"))
        }
    }

    @Test func tenantHostShowsThatTenantsBrandOnly() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.tenant("acme", name: "Acme Circle")
            _ = try await fixtures.tenant("globex", name: "Globex Alumni")
            // act
            let acme = try await web.get(TestApp.url("acme"))
            let globex = try await web.get(TestApp.url("globex"))
            // check
            #expect(acme.status == .ok && globex.status == .ok)
            #expect(acme.contains("Acme Circle") && acme.contains("Header of acme") && acme.contains("Footer of acme"))
            #expect(!acme.contains("Globex") && !acme.contains("globex"))
            #expect(globex.contains("Globex Alumni") && !globex.contains("Acme") && !globex.contains("acme"))
        }
    }

    @Test func unknownSubdomainIsAPlain404WithNoTenantData() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).tenant("acme", name: "Acme Circle")
            // act
            let unknown = try await web.get(TestApp.url("nosuch"))
            let nested = try await web.get("http://x.acme.\(TestApp.rootHost)/")
            let foreign = try await web.get("http://elsewhere.example/")
            // check
            for page in [unknown, nested, foreign] {
                #expect(page.status == .notFound)
                #expect(page.contains("Page not found"))
                #expect(!page.contains("Acme") && !page.contains("acme"))
            }
        }
    }

    @Test func suspendedTenantAnswers404WithNoTenantData() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).tenant("acme", name: "Acme Circle", status: "suspended")
            // act
            let home = try await web.get(TestApp.url("acme"))
            let signIn = try await web.get(TestApp.url("acme", "/sign-in"))
            // check
            #expect(home.status == .notFound && signIn.status == .notFound)
            #expect(!home.contains("Acme") && !signIn.contains("Acme"))
        }
    }

    @Test func aChangeMadeByAnotherNodeReachesTheCacheThroughNotify() async throws {
        try await TestApp.run { db, web in
            // setup: the first request caches the tenant
            let tenant = try await Fixtures(db).tenant("acme", name: "Acme Circle")
            let before = try await web.get(TestApp.url("acme"))
            // act: another node (here: the owner role directly) changes the tenant
            try await db.owner.query("UPDATE tenants SET header_text = 'Fresh header' WHERE id = \(tenant)")
            // check: the trigger's NOTIFY invalidates the cached copy (well within its 30 s lifetime)
            var after = try await web.get(TestApp.url("acme"))
            let deadline = ContinuousClock.now + .seconds(5)
            while !after.contains("Fresh header") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                after = try await web.get(TestApp.url("acme"))
            }
            #expect(before.contains("Header of acme"))
            #expect(after.contains("Fresh header"))
        }
    }

    @Test func aTenantCreatedByAnotherNodeStopsBeingA404() async throws {
        try await TestApp.run { db, web in
            // setup: this node has cached "no tenant here"
            let before = try await web.get(TestApp.url("latecomer"))
            // act: another node creates it
            _ = try await Fixtures(db).tenant("latecomer", name: "Late Comer Club")
            var after = try await web.get(TestApp.url("latecomer"))
            let deadline = ContinuousClock.now + .seconds(5)
            while after.status != .ok && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                after = try await web.get(TestApp.url("latecomer"))
            }
            // check
            #expect(before.status == .notFound)
            #expect(after.status == .ok && after.contains("Late Comer Club"))
        }
    }

    @Test func errorPagesCarryTheTenantsBrand() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).tenant("acme", name: "Acme Circle")
            // act
            let page = try await web.get(TestApp.url("acme", "/no/such/page"))
            // check
            #expect(page.status == .notFound)
            #expect(page.contains("Page not found") && page.contains("Acme Circle") && page.contains("Footer of acme"))
        }
    }

    @Test func pagesSendAStrictContentSecurityPolicy() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).tenant("acme")
            let page = try await web.get(TestApp.url("acme"))
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'") && !policy.contains("unsafe-inline"))
        }
    }
}

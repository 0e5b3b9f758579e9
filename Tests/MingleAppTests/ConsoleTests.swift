import Foundation
import Hummingbird
import Store
import Testing
import TestSupport

/// The super-tenant console on the platform host.
@Suite struct ConsoleTests {
    static let newTenant: [(String, String)] = [
        ("name", "Initech Meetups"), ("slug", "initech"), ("first_name", "Peter"), ("last_name", "Gibbons"),
        ("username", "peter"), ("email", "peter@initech.example"),
    ]

    func signInAdmin(_ db: TestDatabase, _ web: inout WebClient) async throws {
        _ = try await Fixtures(db).user("root", admin: true)
        try await TestApp.signIn(&web, "root", tenant: nil)
    }

    @Test func onlyPlatformAdminsOnThePlatformHostReachTheConsole() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            _ = acme
            // act
            let anonymous = try await web.get(TestApp.url(nil, "/admin"))
            try await TestApp.signIn(&web, "acme-organizer", tenant: nil)
            let organizer = try await web.get(TestApp.url(nil, "/admin"))
            var admin = WebClient(web.client)
            try await signInAdmin(db, &admin)
            let onTenantHost = try await admin.get(TestApp.url("acme", "/admin"))
            // check
            #expect(anonymous.status == .found && anonymous.location?.hasPrefix("/sign-in?next=") == true)
            #expect(organizer.status == .forbidden)
            #expect(onTenantHost.status == .notFound)
        }
    }

    @Test func creatingATenantMakesItsSiteItsOrganizerAndAnInvitation() async throws {
        try await TestApp.run { db, web in
            // setup
            try await signInAdmin(db, &web)
            // act
            let created = try await web.post(TestApp.url(nil, "/admin/tenants"), Self.newTenant, formURL: TestApp.url(nil, "/admin/tenants/new"))
            let detail = try await web.get(TestApp.url(nil, created.location ?? "/"))
            let site = try await web.get(TestApp.url("initech"))
            // check
            #expect(created.status == .seeOther && created.location == "/admin/tenants/initech")
            #expect(detail.contains("Tenant Initech Meetups created") && detail.contains("peter@initech.example"))
            #expect(site.status == .ok && site.contains("Initech Meetups"))
            let mail = try await db.owner.query("SELECT to_address, subject, body_text FROM outbox").all((String, String, String).self)
            #expect(mail.count == 1)
            #expect(mail.first?.0 == "peter@initech.example")
            #expect(mail.first?.2.contains("http://initech.\(TestApp.rootHost)/reset-password?token=") == true)
            let audit = try await db.owner.query("SELECT action, detail FROM platform_audit WHERE action = 'create tenant'").all((String, String).self)
            #expect(audit.count == 1 && audit.first?.1 == "initech")
        }
    }

    @Test func theInvitedOrganizerSetsAPasswordAndOpensThePortal() async throws {
        try await TestApp.run { db, web in
            // setup
            try await signInAdmin(db, &web)
            _ = try await web.post(TestApp.url(nil, "/admin/tenants"), Self.newTenant, formURL: TestApp.url(nil, "/admin/tenants/new"))
            let text = try #require(try await db.owner.query("SELECT body_text FROM outbox").first(String.self))
            let link = try #require(TestMailbox.link(in: text))
            let token = String(link.split(separator: "=").last ?? "")
            var peter = WebClient(web.client)
            // act
            let set = try await peter.post(TestApp.url("initech", "/reset-password"),
                                           [("token", token), ("password", "peters first password"), ("confirmation", "peters first password")],
                                           formURL: TestApp.url("initech", "/reset-password?token=\(token)"))
            let portal = try await peter.get(TestApp.url("initech", "/organize"))
            // check: the new organizer is signed in and sent to the portal
            #expect(set.status == .seeOther && set.location == "/organize", "\(set.status): \(set.body.prefix(2000))")
            #expect(portal.status == .ok && portal.contains("Organizer portal") && portal.contains("Peter Gibbons"))
        }
    }

    @Test func invalidOrDuplicateInputIsRefusedAndNothingIsWritten() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            try await signInAdmin(db, &web)
            let before = (try await fixtures.count("tenants"), try await fixtures.count("users"))
            func attempt(_ changes: [String: String]) async throws -> Page {
                let fields = Self.newTenant.map { ($0.0, changes[$0.0] ?? $0.1) }
                return try await web.post(TestApp.url(nil, "/admin/tenants"), fields, formURL: TestApp.url(nil, "/admin/tenants/new"))
            }
            // act
            let takenSlug = try await attempt(["slug": "acme"])
            let takenUsername = try await attempt(["username": "acme-member1"])
            let badSlug = try await attempt(["slug": "-Bad Slug!"])
            let badEmail = try await attempt(["email": "not-an-email"])
            let empty = try await attempt(["name": "", "first_name": ""])
            let tooLong = try await attempt(["name": String(repeating: "x", count: 121)])
            // check
            for page in [takenSlug, takenUsername, badSlug, badEmail, empty, tooLong] { #expect(page.status == .unprocessableContent) }
            #expect(takenSlug.contains("is already taken") && takenUsername.contains("username acme-member1 is already taken"))
            #expect(badSlug.contains("The address must be") && badEmail.contains("valid email address"))
            #expect(empty.contains("Give the tenant a name") && empty.contains("first name"))
            #expect(takenSlug.contains("value=\"Initech Meetups\""), "the form keeps what was typed")
            let after = (try await fixtures.count("tenants"), try await fixtures.count("users"))
            #expect(after == before)
            #expect(try await fixtures.count("outbox") == 0)
        }
    }

    @Test func suspendingATenantTakesItsSiteDownAtOnceAndReactivatingBringsItBack() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await signInAdmin(db, &web)
            let before = try await web.get(TestApp.url("acme"))
            // act
            let suspend = try await web.post(TestApp.url(nil, "/admin/tenants/acme/suspend"), [], formURL: TestApp.url(nil, "/admin/tenants/acme"))
            let whileSuspended = try await web.get(TestApp.url("acme"))
            let reactivate = try await web.post(TestApp.url(nil, "/admin/tenants/acme/reactivate"), [], formURL: TestApp.url(nil, "/admin/tenants/acme"))
            let after = try await web.get(TestApp.url("acme"))
            // check
            #expect(before.status == .ok)
            #expect(suspend.status == .seeOther && whileSuspended.status == .notFound)
            #expect(reactivate.status == .seeOther && after.status == .ok)
            let actions = try await db.owner.query("SELECT action FROM platform_audit ORDER BY at").all(String.self)
            #expect(actions.contains("suspend tenant") && actions.contains("reactivate tenant"))
        }
    }

    @Test func actionsOnATenantThatDoesNotExistAreNotFound() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            try await signInAdmin(db, &web)
            func tenants() async throws -> [String] {
                try await db.owner.query("SELECT slug, status FROM tenants ORDER BY slug").all((String, String).self).map { "\($0.0) \($0.1)" }
            }
            let before = try await tenants()
            // act
            var answers: [(String, Page)] = []
            for action in ["suspend", "reactivate", "open-portal"] {
                answers.append((action, try await web.post(TestApp.url(nil, "/admin/tenants/nosuch/\(action)"), [], formURL: TestApp.url(nil, "/admin"))))
            }
            // check: not found, never a flash or a hand-off; nothing changed or audited
            #expect(notNotFound(answers).isEmpty, "\(notNotFound(answers))")
            #expect(answers.allSatisfy { $0.1.contains("There is no tenant nosuch.") })
            #expect(try await tenants() == before && before == ["acme active"])
            #expect(try await fixtures.count("platform_audit WHERE action IN ('suspend tenant', 'reactivate tenant', 'open organizer portal')") == 0)
            #expect(try await fixtures.count("web_sessions WHERE purpose = 'handoff'") == 0)
        }
    }

    @Test func theConsoleListsTheOrganizersAndMembersOfAnyTenant() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme", members: 2)
            _ = try await fixtures.populatedTenant("globex", members: 3)
            try await signInAdmin(db, &web)
            // act
            let list = try await web.get(TestApp.url(nil, "/admin"))
            let globex = try await web.get(TestApp.url(nil, "/admin/tenants/globex"))
            // check
            #expect(list.contains("/admin/tenants/acme") && list.contains("/admin/tenants/globex"))
            #expect(globex.contains("globex-organizer") && globex.contains("globex-member3"))
            #expect(!globex.contains("acme-member1"))
            let audit = try await db.owner.query("SELECT count(*)::int FROM platform_audit WHERE action = 'view members'").first(Int.self)
            #expect(audit == 1)
        }
    }

    @Test func openingATenantsPortalIsAuditedAndTheHandOffWorksOnce() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await signInAdmin(db, &web)
            // act
            let open = try await web.post(TestApp.url(nil, "/admin/tenants/acme/open-portal"), [], formURL: TestApp.url(nil, "/admin/tenants/acme"))
            let handoff = try #require(open.location)
            let arrive = try await web.get(handoff)
            let portal = try await web.get(TestApp.url("acme", "/organize"))
            var replay = WebClient(web.client)
            let replayed = try await replay.get(handoff)
            // check
            #expect(handoff.hasPrefix("http://acme.\(TestApp.rootHost)/admin-handoff?token="))
            #expect(arrive.status == .seeOther && arrive.location == "/organize")
            #expect(portal.status == .ok && portal.contains("Platform administrator view") && portal.contains("acme-member1"))
            #expect(replayed.status == .gone)
            let audit = try await db.owner.query("SELECT count(*)::int FROM platform_audit WHERE action = 'open organizer portal'").first(Int.self)
            #expect(audit == 1)
        }
    }

    @Test func anOrganizerCannotUseTheHandOffPath() async throws {
        try await TestApp.run { db, web in
            // setup: an organizer's own session token used as a hand-off token
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let token = try #require(web.cookie("mingle_session", host: "acme.\(TestApp.rootHost)"))
            var other = WebClient(web.client)
            // act
            let page = try await other.get(TestApp.url("acme", "/admin-handoff?token=\(token)"))
            // check
            #expect(page.status == .gone)
            #expect(other.cookie("mingle_session", host: "acme.\(TestApp.rootHost)") == nil)
        }
    }
}

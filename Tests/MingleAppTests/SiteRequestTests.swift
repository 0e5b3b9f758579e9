import Foundation
import Hummingbird
@testable import MingleApp
import Store
import Testing
import TestSupport

/// Becoming an organizer (issue 14): the platform home's request form and address check, the
/// console's approve and decline, the root host's "Your sites", the organizer's checklist.
@Suite struct SiteRequestTests {
    static let request: [(String, String)] = [
        ("site_name", "Initech Meetups"), ("slug", "initech"), ("first_name", "Peter"), ("last_name", "Gibbons"),
        ("email", "peter@initech.example"), ("username", "peter"), ("about", "Monthly meetups for people who work in software."),
    ]

    static func fields(_ changes: [String: String]) -> [(String, String)] {
        request.map { ($0.0, changes[$0.0] ?? $0.1) }
    }

    /// Files a request from the platform home; the answer.
    @discardableResult
    static func submit(_ web: inout WebClient, _ changes: [String: String] = [:]) async throws -> Page {
        try await web.post(TestApp.url(nil, "/site-requests"), fields(changes), formURL: TestApp.url(nil, "/"))
    }

    static func requestID(_ db: TestDatabase, slug: String = "initech") async throws -> String {
        try #require(try await db.owner.query("SELECT id FROM site_requests WHERE slug = \(slug)").first(UUID.self)).uuidString.lowercased()
    }

    static func signInAdmin(_ db: TestDatabase, _ web: inout WebClient) async throws {
        _ = try await Fixtures(db).user("root", admin: true)
        try await TestApp.signIn(&web, "root", tenant: nil)
    }

    static func requestStatus(_ db: TestDatabase) async throws -> String? {
        let status: String? = try await db.owner.query("SELECT status FROM site_requests").first(String.self)
        return status
    }

    static func outbox(_ db: TestDatabase) async throws -> [(to: String, subject: String, text: String)] {
        try await db.owner.query("SELECT to_address, subject, body_text FROM outbox ORDER BY created_at").all((String, String, String).self)
            .map { (to: $0.0, subject: $0.1, text: $0.2) }
    }

    // MARK: the request form

    @Test func theAddressCheckSaysAvailableTakenReservedOrMalformed() async throws {
        try await TestApp.run { db, web in
            // setup: a site and a waiting request
            _ = try await Fixtures(db).tenant("acme")
            var other = WebClient(web.client)
            other.address = "192.0.2.99"
            try await Self.submit(&other, ["slug": "waiting", "email": "w@example.test", "username": ""])
            func check(_ slug: String, tenant: String? = nil) async throws -> Page {
                try await web.get(TestApp.url(tenant, "/site-requests/address?slug=\(slug)"))
            }
            // act
            let free = try await check("initech")
            let site = try await check("acme")
            let requested = try await check("waiting")
            let reserved = try await check("admin")
            let malformed = try await check("-no-")
            let onTenantHost = try await check("initech", tenant: "acme")
            // check
            #expect(free.status == .ok && free.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(free.contains(#""state":"available""#) && free.contains("initech.\(TestApp.rootHost) is available"))
            #expect(site.contains(#""state":"taken""#) && site.contains("acme.\(TestApp.rootHost) is taken"))
            #expect(requested.contains(#""state":"taken""#), "an address a request waits for is not offered again")
            #expect(reserved.contains(#""state":"invalid""#) && reserved.contains("is reserved"))
            #expect(malformed.contains(#""state":"invalid""#) && malformed.contains("not starting or ending with a hyphen"))
            #expect(onTenantHost.status == .notFound)
        }
    }

    @Test func aRequestIsFiledAndTheRequesterGetsAReceipt() async throws {
        try await TestApp.run { db, web in
            // act
            let sent = try await Self.submit(&web)
            let received = try await web.get(TestApp.url(nil, sent.location ?? "/"))
            // check
            #expect(sent.status == .seeOther && sent.location == "/site-requests/received")
            #expect(received.contains("Request received") && received.contains("we received your request for initech.\(TestApp.rootHost)"))
            let row = try await db.owner.query("SELECT site_name, first_name, email, username, status FROM site_requests")
                .all((String, String, String, String, String).self)
            #expect(row.count == 1 && row.first?.0 == "Initech Meetups" && row.first?.3 == "peter" && row.first?.4 == "pending")
            let mail = try await Self.outbox(db)
            #expect(mail.count == 1 && mail.first?.to == "peter@initech.example")
            #expect(mail.first?.subject == "We received your request for initech.\(TestApp.rootHost)")
            #expect(mail.first?.text.contains("A Mingle administrator reviews every request") == true)
        }
    }

    @Test func aRefusedRequestShowsEveryProblemBesideItsFieldWithWhatWasTypedKept() async throws {
        try await TestApp.run { db, web in
            // act
            let page = try await Self.submit(&web, ["site_name": "", "slug": "-Bad", "email": "not-an-email", "username": "X",
                                                     "about": String(repeating: "a", count: 2001)])
            // check
            #expect(page.status == .unprocessableContent)
            #expect(page.contains("Give your site a name."))
            #expect(page.contains("An address is 1–40 lowercase letters"))
            #expect(page.contains("Give an email address like name@example.com"))
            #expect(page.contains(Validation.usernameRule))
            #expect(page.contains("This can be up to 2,000 characters; this one has 2,001."))
            #expect(page.body.components(separatedBy: #"aria-invalid="true""#).count - 1 == 5, "five fields marked")
            #expect(page.contains(#"aria-describedby="site_name-error""#) && page.contains(#"id="site_name-error""#))
            #expect(page.contains(#"value="Peter""#) && page.contains(#"value="Gibbons""#) && page.contains(#"value="-bad""#),
                    "what was typed is kept")
            #expect(page.contains(#"id="site_name" name="site_name" value="" required maxlength="120" aria-invalid="true" aria-describedby="site_name-error" autofocus"#),
                    "the first wrong field has the focus")
            let stored = (try await Fixtures(db).count("site_requests"), try await Fixtures(db).count("outbox"))
            #expect(stored == (0, 0))
        }
    }

    @Test func aTakenAddressOrUsernameIsRefusedOnSubmit() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            // act
            let site = try await Self.submit(&web, ["slug": "acme"])
            let username = try await Self.submit(&web, ["username": "acme-member1"])
            // check
            #expect(site.status == .unprocessableContent && site.contains("acme.\(TestApp.rootHost) is taken. Choose another address."))
            #expect(username.status == .unprocessableContent && username.contains("The username acme-member1 is taken"))
            #expect(try await Fixtures(db).count("site_requests") == 0)
        }
    }

    @Test func requestsWaitingFromOneEmailAddressAreLimited() async throws {
        try await TestApp.run { db, web in
            // setup: as many as allowed, from different networks
            for i in 0..<SiteRequestController.maxPending {
                var client = WebClient(web.client)
                client.address = "198.51.100.\(i + 1)"
                let sent = try await Self.submit(&client, ["slug": "site\(i)", "username": ""])
                #expect(sent.status == .seeOther)
            }
            // act
            let more = try await Self.submit(&web, ["slug": "one-more", "username": ""])
            // check
            #expect(more.status == .unprocessableContent && more.contains(SiteRequestForm.tooMany))
            #expect(try await Fixtures(db).count("site_requests") == SiteRequestController.maxPending)
        }
    }

    // MARK: the console

    @Test func onlyPlatformAdminsSeeOrDecideRequests() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            var requester = WebClient(web.client)
            try await Self.submit(&requester)
            let id = try await Self.requestID(db)
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: nil)
            // act
            let anonymous = try await web.get(TestApp.url(nil, "/admin/site-requests"))
            let list = try await organizer.get(TestApp.url(nil, "/admin/site-requests"))
            let approve = try await organizer.post(TestApp.url(nil, "/admin/site-requests/\(id)/approve"),
                                                   [("organizer", "new"), ("username", "peter")], formURL: TestApp.url(nil, "/"))
            let decline = try await organizer.post(TestApp.url(nil, "/admin/site-requests/\(id)/decline"),
                                                   [("reason", "no")], formURL: TestApp.url(nil, "/"))
            // check
            #expect(anonymous.status == .found && anonymous.location?.hasPrefix("/sign-in?next=") == true)
            #expect(list.status == .forbidden && approve.status == .forbidden && decline.status == .forbidden)
            #expect(try await Self.requestStatus(db) == "pending")
            #expect(try await Fixtures(db).count("tenants") == 1)
        }
    }

    @Test func approvingCreatesTheSiteAndInvitesTheOrganizerWhoLandsOnTheChecklist() async throws {
        try await TestApp.run { db, web in
            // setup
            var requester = WebClient(web.client)
            try await Self.submit(&requester)
            let id = try await Self.requestID(db)
            try await Self.signInAdmin(db, &web)
            // act
            let list = try await web.get(TestApp.url(nil, "/admin/site-requests"))
            let page = try await web.get(TestApp.url(nil, "/admin/site-requests/\(id)"))
            let approved = try await web.post(TestApp.url(nil, "/admin/site-requests/\(id)/approve"),
                                              [("organizer", "new"), ("username", "peter")], csrf: page.csrf)
            let after = try await web.get(TestApp.url(nil, approved.location ?? "/"))
            let mail = try #require(try await Self.outbox(db).last)
            let token = String(try #require(TestMailbox.link(in: mail.text)).split(separator: "=").last ?? "")
            var peter = WebClient(web.client)
            let set = try await peter.post(TestApp.url("initech", "/reset-password"),
                                           [("token", token), ("password", "peters first password"), ("confirmation", "peters first password")],
                                           formURL: TestApp.url("initech", "/reset-password?token=\(token)"))
            let portal = try await peter.get(TestApp.url("initech", set.location ?? "/"))
            // check
            #expect(list.contains("Initech Meetups") && list.contains("1 request waits"))
            #expect(list.contains(#"Site requests<span class="count" aria-hidden="true">1</span>"#), "the console's nav counts waiting requests")
            #expect(page.status == .ok && page.contains("Monthly meetups for people who work in software.") && page.contains(#"value="peter""#))
            #expect(approved.status == .seeOther && after.contains("Approved: Initech Meetups is live at initech.\(TestApp.rootHost)"))
            let name: String? = try await db.owner.query("SELECT name FROM tenants WHERE slug = 'initech'").first(String.self)
            #expect(name == "Initech Meetups")
            let request = try await db.owner.query("""
                SELECT r.status, t.slug, u.username FROM site_requests r JOIN tenants t ON t.id = r.tenant_id JOIN users u ON u.id = r.decided_by
                """).first((String, String, String).self)
            #expect(request?.0 == "approved" && request?.1 == "initech" && request?.2 == "root")
            #expect(mail.to == "peter@initech.example" && mail.subject == "Your Mingle site Initech Meetups is ready")
            #expect(mail.text.contains("http://initech.\(TestApp.rootHost)/reset-password?token="))
            let audit = try await db.owner.query("SELECT detail FROM platform_audit WHERE action = 'approve site request'").all(String.self)
            #expect(audit == ["initech"])
            #expect(set.status == .seeOther && set.location == "/organize", "the new organizer goes straight to the portal")
            #expect(portal.status == .ok && portal.contains("Set up your site") && portal.contains("0 of 5 done"))
        }
    }

    @Test func anExistingAccountWithTheEmailCanBeMadeTheOrganizer() async throws {
        try await TestApp.run { db, web in
            // setup: Peter already belongs to acme
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme")
            let peter = try await fixtures.user("pgibbons", email: "Peter@Initech.example", firstName: "Peter")
            try await fixtures.membership(acme, peter)
            var requester = WebClient(web.client)
            try await Self.submit(&requester, ["username": ""])
            let id = try await Self.requestID(db)
            try await Self.signInAdmin(db, &web)
            let users = try await fixtures.count("users")
            // act
            let page = try await web.get(TestApp.url(nil, "/admin/site-requests/\(id)"))
            let approved = try await web.post(TestApp.url(nil, "/admin/site-requests/\(id)/approve"),
                                              [("organizer", peter.uuidString.lowercased()), ("username", "")], csrf: page.csrf)
            // check
            #expect(page.contains("The existing account pgibbons"))
            #expect(approved.status == .seeOther)
            #expect(try await fixtures.count("users") == users, "no new account")
            let tenant = try #require(try await db.owner.query("SELECT id FROM tenants WHERE slug = 'initech'").first(UUID.self))
            let role = try await fixtures.inTenant(tenant) { connection in
                try await connection.query("SELECT role FROM memberships WHERE user_id = \(peter)", logger: TestEnvironment.logger)
                    .first(String.self)
            }
            #expect(role == "organizer")
            #expect(try await fixtures.count("password_resets") == 0, "no password link for an account that has one")
            let mail = try #require(try await Self.outbox(db).last)
            #expect(mail.to == "Peter@Initech.example" && mail.text.contains("your account pgibbons is its organizer"))
            #expect(mail.text.contains("http://initech.\(TestApp.rootHost)/sign-in?next=/organize"))
        }
    }

    @Test func decliningNeedsAReasonAndEmailsIt() async throws {
        try await TestApp.run { db, web in
            // setup
            var requester = WebClient(web.client)
            try await Self.submit(&requester)
            let id = try await Self.requestID(db)
            try await Self.signInAdmin(db, &web)
            let form = TestApp.url(nil, "/admin/site-requests/\(id)")
            // act
            let empty = try await web.post(TestApp.url(nil, "/admin/site-requests/\(id)/decline"), [("reason", "  ")], formURL: form)
            let declined = try await web.post(TestApp.url(nil, "/admin/site-requests/\(id)/decline"),
                                              [("reason", "Mingle is for communities that meet live; yours sells shoes.")], formURL: form)
            let after = try await web.get(form)
            // check
            #expect(empty.status == .unprocessableContent && empty.contains("Say why, in a sentence or two")
                    && empty.contains(#"aria-describedby="reason-error""#))
            #expect(declined.status == .seeOther)
            #expect(after.contains("Declined by root") && after.contains("yours sells shoes"))
            #expect(try await Self.requestStatus(db) == "declined")
            let mail = try #require(try await Self.outbox(db).last)
            #expect(mail.to == "peter@initech.example" && mail.text.contains("We cannot approve this request")
                    && mail.text.contains("yours sells shoes"))
            #expect(try await Fixtures(db).count("tenants") == 0)
            let audit = try await db.owner.query("SELECT count(*)::integer FROM platform_audit WHERE action = 'decline site request'").first(Int.self)
            #expect(audit == 1)
        }
    }

    @Test func aDecidedRequestCannotBeDecidedAgain() async throws {
        try await TestApp.run { db, web in
            // setup
            var requester = WebClient(web.client)
            try await Self.submit(&requester)
            let id = try await Self.requestID(db)
            try await Self.signInAdmin(db, &web)
            let form = TestApp.url(nil, "/admin/site-requests/\(id)")
            let approve = TestApp.url(nil, "/admin/site-requests/\(id)/approve")
            _ = try await web.post(approve, [("organizer", "new"), ("username", "peter")], formURL: form)
            let mails = try await Fixtures(db).count("outbox")
            // act: a double submit, then a decline
            let again = try await web.post(approve, [("organizer", "new"), ("username", "peter2")], formURL: form)
            let decline = try await web.post(TestApp.url(nil, "/admin/site-requests/\(id)/decline"), [("reason", "Changed my mind")], formURL: form)
            // check
            #expect(again.status == .conflict && again.contains("This request was already decided") && again.contains("Approved by root"))
            #expect(decline.status == .conflict)
            let after = (try await Fixtures(db).count("tenants"), try await Fixtures(db).count("outbox"))
            #expect(after == (1, mails))
            #expect(try await Self.requestStatus(db) == "approved")
        }
    }

    @Test func approvalRefusesATakenUsernameBesideItsField() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).user("peter")
            var requester = WebClient(web.client)
            try await Self.submit(&requester, ["username": ""])
            let id = try await Self.requestID(db)
            try await Self.signInAdmin(db, &web)
            // act
            let page = try await web.post(TestApp.url(nil, "/admin/site-requests/\(id)/approve"), [("organizer", "new"), ("username", "peter")],
                                          formURL: TestApp.url(nil, "/admin/site-requests/\(id)"))
            // check
            #expect(page.status == .unprocessableContent && page.contains("The username peter is already taken on Mingle."))
            #expect(page.contains(#"aria-describedby="username-error""#))
            #expect(try await Fixtures(db).count("tenants") == 0)
            #expect(try await Self.requestStatus(db) == "pending")
        }
    }

    // MARK: the root host

    @Test func theRootHostListsTheSitesAPersonBelongsTo() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.tenant("acme", name: "Acme Circle")
            let globex = try await fixtures.tenant("globex", name: "Globex Guild")
            let gone = try await fixtures.tenant("gone", name: "Gone Club", status: "suspended")
            _ = try await fixtures.tenant("other", name: "Other Society")
            let ann = try await fixtures.user("ann")
            try await fixtures.membership(acme, ann)
            try await fixtures.membership(globex, ann, role: .organizer)
            try await fixtures.membership(gone, ann)
            try await TestApp.signIn(&web, "ann", tenant: nil)
            // act
            let home = try await web.get(TestApp.url(nil))
            var anonymous = WebClient(web.client)
            let anonymousHome = try await anonymous.get(TestApp.url(nil))
            // check
            #expect(home.contains("Your sites"))
            #expect(home.contains(#"<a href="http://acme.\#(TestApp.rootHost)">Acme Circle</a> <span class="badge info">Member</span>"#))
            #expect(home.contains(#"<a href="http://globex.\#(TestApp.rootHost)">Globex Guild</a> <span class="badge info">Organizer</span>"#))
            #expect(!home.contains("Gone Club") && !home.contains("Other Society"))
            #expect(!anonymousHome.contains("Your sites") && anonymousHome.contains("Request your own site"))
        }
    }

    // MARK: the checklist

    @Test func theChecklistTicksEachStepFromTheData() async throws {
        // setup
        let tenant = Tenant(id: UUID(), slug: "initech", name: "Initech", status: .active, branding: Branding(titleText: "Initech"))
        var branded = tenant
        branded.branding.accentColor = "#0a7f5a"
        let member = MemberRecord(user: UserRecord(id: UUID(), username: "m", email: "m@x.test", firstName: "M", lastName: "", isPlatformAdmin: false),
                                  role: .member, status: .awaitingPayment, joinedAt: Date())
        let none = SiteSetupFacts(feeAndPayPalSet: false, hasProfileSection: false, hasSession: false)
        let all = SiteSetupFacts(feeAndPayPalSet: true, hasProfileSection: true, hasSession: true)
        // act
        let fresh = SetupChecklistModel(tenant: tenant, facts: none, members: [], joinURL: "http://initech.test/join")
        let some = SetupChecklistModel(tenant: tenant, facts: SiteSetupFacts(feeAndPayPalSet: true, hasProfileSection: false, hasSession: true),
                                       members: [member], joinURL: "")
        let done = SetupChecklistModel(tenant: branded, facts: all, members: [member], joinURL: "")
        // check
        #expect(fresh.steps.map(\.done) == [false, false, false, false, false] && fresh.progress == "0 of 5 done" && !fresh.complete)
        #expect(fresh.steps.map(\.url) == ["/organize/branding", "/organize/membership", "/organize/profile", "/organize/sessions/new", "/organize/members"])
        #expect(fresh.steps.last?.share == "http://initech.test/join")
        #expect(some.steps.map(\.done) == [false, true, false, true, true] && some.progress == "3 of 5 done")
        #expect(done.complete)
        #expect(OrganizerDashboardModel(members: [member], setup: done).setup == nil, "a finished list goes away")
    }

    @Test func theSetupFactsComeFromTheTenantsRows() async throws {
        try await TestApp.run { db, web in
            // setup: a bare site with its organizer
            let fixtures = Fixtures(db)
            let tenant = try await fixtures.tenant("initech")
            let organizer = try await fixtures.user("boss")
            try await fixtures.membership(tenant, organizer, role: .organizer)
            try await TestApp.signIn(&web, "boss", tenant: "initech")
            let before = try await web.get(TestApp.url("initech", "/organize"))
            // act: free membership saved, a section, a session
            try await fixtures.inTenant(tenant) { c in
                try await c.query("INSERT INTO membership_settings (tenant_id, fee_minor) VALUES (\(tenant), 0)", logger: TestEnvironment.logger)
                try await c.query("INSERT INTO profile_sections (tenant_id, label, kind, position) VALUES (\(tenant), 'Headline', 'short_text', 1)",
                                  logger: TestEnvironment.logger)
            }
            _ = try await fixtures.speedNetworkingSession(tenant, createdBy: organizer, start: Date().addingTimeInterval(86400),
                                                          end: Date().addingTimeInterval(90000))
            let after = try await web.get(TestApp.url("initech", "/organize"))
            // check: the fixture's header text counts as branding
            #expect(before.contains("Set up your site") && before.contains("1 of 5 done"))
            #expect(after.contains("4 of 5 done") && after.contains("http://initech.\(TestApp.rootHost)/join"))
        }
    }
}

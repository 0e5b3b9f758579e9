import Foundation
import HTTPTypes
import Hummingbird
import Store
import Testing
import TestSupport

/// Member profiles: the organizer's sections, members' answers and pictures, the people page,
/// and who may see any of it.
@Suite struct ProfileTests {
    static let profileURL = TestApp.url("acme", "/profile")
    static let sectionsURL = TestApp.url("acme", "/organize/profile")
    static let secret = "Secret acme answer"

    static func field(_ id: UUID) -> String { "section-\(id.uuidString.lowercased())" }
    static func path(_ id: UUID) -> String { id.uuidString.lowercased() }

    // MARK: Helpers

    /// Adds a section through the organizer portal, as the organizer signed in on `web`.
    func addSection(_ web: inout WebClient, _ label: String, kind: String, options: String = "", required: Bool = false,
                    headline: Bool = false) async throws -> Page {
        try await web.post(TestApp.url("acme", "/organize/profile/sections"),
                           Self.definition(label, kind: kind, options: options, required: required, headline: headline),
                           formURL: Self.sectionsURL)
    }

    /// Changes a section through the organizer portal.
    func changeSection(_ web: inout WebClient, _ id: UUID, _ label: String, kind: String, options: String = "",
                       required: Bool = false, tenant: String = "acme") async throws -> Page {
        try await web.post(TestApp.url(tenant, "/organize/profile/sections/\(Self.path(id))"),
                           Self.definition(label, kind: kind, options: options, required: required, headline: false),
                           formURL: TestApp.url(tenant, "/organize/profile"))
    }

    /// Presses one of a section's buttons: `up`, `down` or `delete`.
    func press(_ web: inout WebClient, _ action: String, _ id: UUID, tenant: String = "acme") async throws -> Page {
        try await web.post(TestApp.url(tenant, "/organize/profile/sections/\(Self.path(id))/\(action)"), [],
                           formURL: TestApp.url(tenant, "/organize/profile"))
    }

    static func definition(_ label: String, kind: String, options: String, required: Bool, headline: Bool) -> [(String, String)] {
        var fields = [("label", label), ("kind", kind), ("options", options)]
        if required { fields.append(("required", "on")) }
        if headline { fields.append(("headline", "on")) }
        return fields
    }

    struct StoredSection: Sendable, Equatable {
        var id: UUID, label: String, kind: String, options: [String], required: Bool, headline: Bool, position: Int
    }

    /// The tenant's sections as stored, in order.
    func storedSections(_ db: TestDatabase, _ tenant: TenantID) async throws -> [StoredSection] {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT id, label, kind, options::text, required, headline, position FROM profile_sections ORDER BY position",
                              logger: TestEnvironment.logger).all((UUID, String, String, String, Bool, Bool, Int).self)
        }.map { row in
            StoredSection(id: row.0, label: row.1, kind: row.2,
                          options: (try? JSONDecoder().decode([String].self, from: Data(row.3.utf8))) ?? ["<unreadable>"],
                          required: row.4, headline: row.5, position: row.6)
        }
    }

    func sectionID(_ db: TestDatabase, _ tenant: TenantID, _ label: String) async throws -> UUID {
        try #require(try await storedSections(db, tenant).first { $0.label == label }?.id)
    }

    /// Sections written straight to the store (when the organizer's part is not what is tested).
    func makeSections(_ db: TestDatabase, _ tenant: TenantID, _ sections: [ProfileSection]) async throws {
        try await db.app.withTenant(tenant) { tx in
            for section in sections { try await tx.insertProfileSection(tenant: tenant, section) }
        }
    }

    /// Answers written straight to the store.
    func answer(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID, _ answers: [UUID: String]) async throws {
        try await db.app.withTenant(tenant) { try await $0.saveProfileAnswers(tenant: tenant, user: user, answers) }
    }

    /// username → section label → value, as stored.
    func storedAnswers(_ db: TestDatabase, _ tenant: TenantID) async throws -> [String: [String: String]] {
        let rows = try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("""
                SELECT u.username, s.label, a.value FROM profile_answers a JOIN users u ON u.id = a.user_id
                JOIN profile_sections s ON s.tenant_id = a.tenant_id AND s.id = a.section_id
                """, logger: TestEnvironment.logger).all((String, String, String).self)
        }
        var result: [String: [String: String]] = [:]
        for (user, label, value) in rows { result[user, default: [:]][label] = value }
        return result
    }

    /// A member's stored picture: its id, mime type, size and purpose.
    func storedPicture(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID) async throws -> (UUID, String, Int, Int, String)? {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("""
                SELECT i.id, i.mime, i.width, i.height, i.purpose FROM profiles p JOIN images i
                  ON i.tenant_id = p.tenant_id AND i.id = p.picture_image_id WHERE p.user_id = \(user)
                """, logger: TestEnvironment.logger).first((UUID, String, Int, Int, String).self)
        }
    }

    /// Posts the profile form as a browser does: every section's field, and the picture if any.
    func saveProfile(_ web: inout WebClient, _ values: [(UUID, String)], extra: [(String, String)] = [],
                     picture: [UInt8]? = nil, tenant: String = "acme", formURL: String? = nil) async throws -> Page {
        let files = picture.map { [(name: "picture", filename: "me.png", type: "image/png", bytes: $0)] }
            ?? [(name: "picture", filename: "", type: "application/octet-stream", bytes: [])]
        return try await web.postMultipart(TestApp.url(tenant, "/profile"), fields: values.map { (Self.field($0.0), $0.1) } + extra,
                                           files: files, formURL: formURL ?? TestApp.url(tenant, "/profile"))
    }

    func signedIn(_ web: WebClient, _ username: String, tenant: String = "acme") async throws -> WebClient {
        var client = WebClient(web.client)
        try await TestApp.signIn(&client, username, tenant: tenant)
        return client
    }

    /// The profile cards' usernames on a people page, in order.
    func listed(_ page: Page) -> [String] {
        page.body.matches(of: /<a href="\/people\/([^"]+)" class="person-card">/).map { String($0.output.1) }
    }

    func link(_ page: Page, rel: String) -> String? {
        guard let match = page.body.firstMatch(of: try! Regex(#"<a href="([^"]*)" rel="\#(rel)">"#)) else { return nil }
        return (match.output[1].substring.map(String.init) ?? "").replacingOccurrences(of: "&amp;", with: "&")
    }

    func people(_ web: inout WebClient, search: String? = nil, page: Int? = nil) async throws -> Page {
        var query: [String] = []
        if let page { query.append("page=\(page)") }
        if let search { query.append("q=\(WebClient.encode(search))") }
        return try await web.get(TestApp.url("acme", "/people" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))))
    }

    func rename(_ db: TestDatabase, _ username: String, first: String, last: String) async throws {
        try await db.owner.query("UPDATE users SET first_name = \(first), last_name = \(last) WHERE username = \(username)")
    }

    // MARK: 2. The organizer defines the sections

    @Test func theOrganizerAddsASectionOfEachKind() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let works = try await addSection(&web, "Works on", kind: "short_text", headline: true)
            let about = try await addSection(&web, "About me", kind: "long_text", required: true)
            let drink = try await addSection(&web, "Drink", kind: "choice", options: "Tea\r\n\r\n  Coffee \r\nMate & more")
            let site = try await addSection(&web, "Website", kind: "link", options: "ignored\nfor links")
            let portal = try await web.get(Self.sectionsURL)
            var member = try await signedIn(web, "acme-member1")
            let form = try await member.get(Self.profileURL)
            // check
            for page in [works, about, drink, site] { #expect(page.status == .seeOther && page.location == "/organize/profile") }
            let stored = try await storedSections(db, acme.tenant)
            #expect(stored.map(\.label) == ["Works on", "About me", "Drink", "Website"])
            #expect(stored.map(\.kind) == ["short_text", "long_text", "choice", "link"])
            #expect(stored.map(\.options) == [[], [], ["Tea", "Coffee", "Mate & more"], []])
            #expect(stored.map(\.required) == [false, true, false, false])
            #expect(stored.map(\.headline) == [true, false, false, false])
            #expect(stored.map(\.position) == [1, 2, 3, 4])
            #expect(portal.contains("Section “Website” added."))
            let ids = stored.map { Self.path($0.id) }
            #expect(form.contains("<input id=\"s-\(ids[0])\" name=\"section-\(ids[0])\" value=\"\" maxlength=\"200\">"))
            #expect(form.contains("<textarea id=\"s-\(ids[1])\" name=\"section-\(ids[1])\" rows=\"5\" maxlength=\"4000\" required>"))
            #expect(form.contains("<option>Tea</option><option>Coffee</option><option>Mate &amp; more</option></select>"))
            #expect(form.contains("name=\"section-\(ids[3])\" type=\"url\""))
        }
    }

    @Test func invalidSectionDefinitionsAreRefusedAndNothingIsSaved() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let cases: [(String, String, String, String)] = [
                ("", "short_text", "", "Give the section a label of 1–80 characters."),
                ("   ", "short_text", "", "Give the section a label of 1–80 characters."),
                (String(repeating: "L", count: 81), "short_text", "", "Give the section a label of 1–80 characters."),
                ("Drink", "choice", "Tea", "A choice needs at least two options, one per line."),
                ("Drink", "choice", "Tea\n\n  \n", "A choice needs at least two options, one per line."),
                ("Drink", "choice", "Tea\nCoffee\nTea", "Each option must be different."),
                ("Drink", "choice", (1...31).map { "Option \($0)" }.joined(separator: "\n"), "A choice can have at most 30 options."),
                ("Drink", "choice", "Tea\n" + String(repeating: "o", count: 201), "An option can be at most 200 characters."),
                ("Essay", "essay", "", "Choose what kind of answer the section takes."),
                ("Nothing", "", "", "Choose what kind of answer the section takes."),
            ]
            for (label, kind, options, message) in cases {
                // act
                let page = try await addSection(&web, label, kind: kind, options: options)
                // check
                #expect(page.status == .unprocessableContent, "\(label) \(kind)")
                #expect(page.contains(message), "\(label.prefix(20)) \(kind): expected “\(message)”")
            }
            #expect(try await storedSections(db, acme.tenant).isEmpty)
        }
    }

    @Test func anInvalidChangeIsRefusedAndTheSectionAndItsAnswersStayAsTheyWere() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let drink = ProfileSection(label: "Drink", kind: .choice, options: ["Tea", "Coffee"])
            try await makeSections(db, acme.tenant, [drink])
            try await answer(db, acme.tenant, acme.members[0], [drink.id: "Coffee"])
            let before = try await storedSections(db, acme.tenant)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let oneOption = try await changeSection(&web, drink.id, "Drink", kind: "choice", options: "Tea")
            let noLabel = try await changeSection(&web, drink.id, "", kind: "short_text")
            let badKind = try await changeSection(&web, drink.id, "Drink", kind: "number")
            // check
            for page in [oneOption, noLabel, badKind] { #expect(page.status == .unprocessableContent) }
            #expect(oneOption.contains("A choice needs at least two options"))
            #expect(try await storedSections(db, acme.tenant) == before)
            #expect(try await storedAnswers(db, acme.tenant) == ["acme-member1": ["Drink": "Coffee"]])
        }
    }

    @Test func movingSectionsUpAndDownChangesTheOrderMembersSee() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            for label in ["Alpha field", "Bravo field", "Charlie field"] {
                _ = try await addSection(&web, label, kind: "short_text")
            }
            let alpha = try await sectionID(db, acme.tenant, "Alpha field")
            let charlie = try await sectionID(db, acme.tenant, "Charlie field")
            var member = try await signedIn(web, "acme-member1")
            // act
            let up = try await press(&web, "up", charlie)
            let down = try await press(&web, "down", alpha)
            let form = try await member.get(Self.profileURL)
            // check
            #expect(up.status == .seeOther && down.status == .seeOther)
            #expect(try await storedSections(db, acme.tenant).map(\.label) == ["Charlie field", "Alpha field", "Bravo field"])
            let c = try #require(form.body.range(of: "Charlie field")).lowerBound
            let a = try #require(form.body.range(of: "Alpha field")).lowerBound
            let b = try #require(form.body.range(of: "Bravo field")).lowerBound
            #expect(c < a && a < b)
        }
    }

    @Test func movingTheFirstSectionUpOrTheLastDownChangesNothing() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let first = ProfileSection(label: "First", kind: .shortText), last = ProfileSection(label: "Last", kind: .shortText)
            try await makeSections(db, acme.tenant, [first, last])
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let up = try await press(&web, "up", first.id)
            let down = try await press(&web, "down", last.id)
            // check
            #expect(up.status == .seeOther && down.status == .seeOther)
            #expect(try await storedSections(db, acme.tenant).map(\.label) == ["First", "Last"])
        }
    }

    @Test func deletingASectionRemovesItAndItsAnswers() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let works = ProfileSection(label: "Works on", kind: .shortText)
            let drink = ProfileSection(label: "Drink", kind: .choice, options: ["Tea", "Coffee"])
            try await makeSections(db, acme.tenant, [works, drink])
            try await answer(db, acme.tenant, acme.members[0], [works.id: "Bakery robots", drink.id: "Tea"])
            try await answer(db, acme.tenant, acme.members[1], [works.id: "Bridges"])
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let deleted = try await press(&web, "delete", works.id)
            let portal = try await web.get(Self.sectionsURL)
            let person = try await web.get(TestApp.url("acme", "/people/acme-member1"))
            // check
            #expect(deleted.status == .seeOther && deleted.location == "/organize/profile")
            #expect(portal.contains("Section deleted, with its answers."))
            #expect(try await storedSections(db, acme.tenant).map(\.label) == ["Drink"])
            #expect(try await storedAnswers(db, acme.tenant) == ["acme-member1": ["Drink": "Tea"]])
            #expect(!person.contains("Works on") && !person.contains("Bakery robots"))
            #expect(person.contains("<dt>Drink</dt>") && person.contains("Tea"))
        }
    }

    @Test func anOrganizerCannotChangeMoveOrDeleteAnotherTenantsSection() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let theirs = [ProfileSection(label: "Globex one", kind: .shortText), ProfileSection(label: "Globex two", kind: .shortText)]
            try await makeSections(db, globex.tenant, theirs)
            try await answer(db, globex.tenant, globex.members[0], [theirs[1].id: "Globex answer"])
            let before = try await storedSections(db, globex.tenant)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let changed = try await changeSection(&web, theirs[1].id, "Taken over", kind: "long_text")
            let badlyChanged = try await changeSection(&web, theirs[0].id, "", kind: "short_text")
            let moved = try await press(&web, "up", theirs[1].id)
            let deleted = try await press(&web, "delete", theirs[1].id)
            // check: not found, never "Section deleted"
            #expect(changed.status == .notFound)
            #expect(badlyChanged.status == .notFound && badlyChanged.contains("That section no longer exists."))
            #expect(moved.status == .notFound)
            #expect(deleted.status == .notFound && deleted.location == nil)
            #expect(try await storedSections(db, globex.tenant) == before)
            #expect(try await storedAnswers(db, globex.tenant) == ["globex-member1": ["Globex two": "Globex answer"]])
        }
    }

    // MARK: 3. Changing a definition keeps the answers that still fit

    @Test func changingTheOptionsKeepsTheAnswersThatAreStillOptions() async throws {
        try await TestApp.run { db, web in
            // setup: three members answer through their own profile form
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            let drink = ProfileSection(label: "Drink", kind: .choice, options: ["Tea", "Coffee", "Mate"])
            let motto = ProfileSection(label: "Motto", kind: .shortText)
            try await makeSections(db, acme.tenant, [drink, motto])
            for (username, choice, text) in [("acme-member1", "Tea", "Carpe diem"), ("acme-member2", "Mate", "Less is more"),
                                             ("acme-member3", "Mate", "")] {
                var member = try await signedIn(web, username)
                let saved = try await saveProfile(&member, [(drink.id, choice), (motto.id, text)])
                #expect(saved.status == .seeOther, "\(username): \(saved.body.prefix(300))")
            }
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let changed = try await changeSection(&web, drink.id, "Drink", kind: "choice", options: "Tea\nCoffee\nJuice")
            let portal = try await web.get(Self.sectionsURL)
            let kept = try await web.get(TestApp.url("acme", "/people/acme-member1"))
            let dropped = try await web.get(TestApp.url("acme", "/people/acme-member2"))
            // check
            #expect(changed.status == .seeOther && changed.location == "/organize/profile")
            #expect(portal.contains("Section “Drink” saved. 2 answers no longer fit and were removed."))
            #expect(try await storedAnswers(db, acme.tenant) == [
                "acme-member1": ["Drink": "Tea", "Motto": "Carpe diem"],
                "acme-member2": ["Motto": "Less is more"],
            ])
            #expect(kept.contains("<dt>Drink</dt>") && kept.contains("<dd>Tea</dd>"))
            #expect(!dropped.contains("<dt>Drink</dt>") && !dropped.contains("Mate") && dropped.contains("Less is more"))
            #expect(try await storedSections(db, acme.tenant).first?.options == ["Tea", "Coffee", "Juice"])
        }
    }

    @Test func changingTheKindKeepsOnlyTheAnswersThatFitTheNewKind() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            let site = ProfileSection(label: "Site", kind: .shortText)
            try await makeSections(db, acme.tenant, [site])
            for (username, text) in [("acme-member1", "https://member1.example/me"), ("acme-member2", "my blog"),
                                     ("acme-member3", "javascript:alert(1)")] {
                var member = try await signedIn(web, username)
                _ = try await saveProfile(&member, [(site.id, text)])
            }
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            let changed = try await changeSection(&web, site.id, "Website", kind: "link")
            let portal = try await web.get(Self.sectionsURL)
            let kept = try await web.get(TestApp.url("acme", "/people/acme-member1"))
            let dropped = try await web.get(TestApp.url("acme", "/people/acme-member3"))
            // check
            #expect(changed.status == .seeOther)
            #expect(portal.contains("Section “Website” saved. 2 answers no longer fit and were removed."))
            #expect(try await storedAnswers(db, acme.tenant) == ["acme-member1": ["Website": "https://member1.example/me"]])
            #expect(kept.contains("<a href=\"https://member1.example/me\" rel=\"nofollow noopener\">"))
            #expect(!dropped.contains("javascript:alert(1)") && !dropped.contains("<dt>Website</dt>"))
        }
    }

    @Test func aChangeEveryAnswerFitsKeepsThemAllAndSaysSo() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let drink = ProfileSection(label: "Drink", kind: .choice, options: ["Tea", "Coffee"])
            try await makeSections(db, acme.tenant, [drink])
            try await answer(db, acme.tenant, acme.members[0], [drink.id: "Tea"])
            try await answer(db, acme.tenant, acme.members[1], [drink.id: "Coffee"])
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act: a choice becomes free text
            let changed = try await changeSection(&web, drink.id, "Favourite drink", kind: "short_text", required: true)
            let portal = try await web.get(Self.sectionsURL)
            let person = try await web.get(TestApp.url("acme", "/people/acme-member2"))
            // check
            #expect(changed.status == .seeOther)
            #expect(portal.contains("Section “Favourite drink” saved. Every existing answer still fits."))
            #expect(try await storedAnswers(db, acme.tenant) == ["acme-member1": ["Favourite drink": "Tea"],
                                                                  "acme-member2": ["Favourite drink": "Coffee"]])
            #expect(person.contains("<dt>Favourite drink</dt>") && person.contains("<dd>Coffee</dd>"))
        }
    }

    @Test
    func oneRemovedAnswerIsReportedInTheSingular() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let drink = ProfileSection(label: "Drink", kind: .choice, options: ["Tea", "Coffee"])
            try await makeSections(db, acme.tenant, [drink])
            try await answer(db, acme.tenant, acme.members[0], [drink.id: "Coffee"])
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            // act
            _ = try await changeSection(&web, drink.id, "Drink", kind: "choice", options: "Tea\nJuice")
            let portal = try await web.get(Self.sectionsURL)
            // check
            #expect(portal.contains("1 answer no longer fits and was removed."))
        }
    }

    // MARK: 4. A member edits their profile

    static let memberSections = (
        works: ProfileSection(label: "Works on", kind: .shortText, required: true, headline: true),
        about: ProfileSection(label: "About me", kind: .longText),
        drink: ProfileSection(label: "Drink", kind: .choice, options: ["Tea", "Coffee & cake"]),
        site: ProfileSection(label: "Website", kind: .link)
    )

    /// acme with the four member sections; acme-member1 signed in on `web`.
    func memberWithSections(_ db: TestDatabase, _ web: inout WebClient) async throws -> (tenant: TenantID, member: UserID) {
        let acme = try await Fixtures(db).populatedTenant("acme")
        let s = Self.memberSections
        try await makeSections(db, acme.tenant, [s.works, s.about, s.drink, s.site])
        try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
        return (acme.tenant, acme.members[0])
    }

    static func answers(works: String = "Bakery robots", about: String = "I bake.\nI build.", drink: String = "Coffee & cake",
                        site: String = "https://member1.example/about") -> [(UUID, String)] {
        let s = memberSections
        return [(s.works.id, works), (s.about.id, about), (s.drink.id, drink), (s.site.id, site)]
    }

    @Test func aValidProfileIsSavedAndShownEscaped() async throws {
        try await TestApp.run { db, web in
            // setup
            let (tenant, _) = try await memberWithSections(db, &web)
            // act
            let saved = try await saveProfile(&web, Self.answers(works: "  <script>alert(1)</script> & bots  ", about: "\n  I bake.\r\nI build.  \n"))
            let person = try await web.get(TestApp.url("acme", saved.location ?? "/"))
            // check
            #expect(saved.status == .seeOther && saved.location == "/people/acme-member1")
            #expect(try await storedAnswers(db, tenant) == ["acme-member1": [
                "Works on": "<script>alert(1)</script> & bots", "About me": "I bake.\r\nI build.", "Drink": "Coffee & cake",
                "Website": "https://member1.example/about",
            ]])
            #expect(person.contains("Your profile is saved."))
            #expect(person.contains("<dd>&lt;script&gt;alert(1)&lt;/script&gt; &amp; bots</dd>"))
            #expect(!person.contains("<script>alert(1)"))
            #expect(person.contains("<dd>Coffee &amp; cake</dd>"))
            #expect(person.contains("<a href=\"https://member1.example/about\" rel=\"nofollow noopener\">"))
            #expect(person.contains("I bake."))
        }
    }

    @Test func theEditFormShowsTheSavedAnswers() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await memberWithSections(db, &web)
            _ = try await saveProfile(&web, Self.answers(works: "Bots \"quoted\""))
            // act
            let form = try await web.get(Self.profileURL)
            // check
            let works = Self.path(Self.memberSections.works.id)
            #expect(form.contains("name=\"section-\(works)\" value=\"Bots &quot;quoted&quot;\""))
            #expect(form.contains("<option selected>Coffee &amp; cake</option>"))
            #expect(form.contains("value=\"https://member1.example/about\""))
        }
    }

    @Test func aMissingRequiredAnswerIsRefusedAndNothingIsSaved() async throws {
        try await TestApp.run { db, web in
            // setup: a saved profile to change
            let (tenant, _) = try await memberWithSections(db, &web)
            _ = try await saveProfile(&web, Self.answers())
            let before = try await storedAnswers(db, tenant)
            // act
            let empty = try await saveProfile(&web, Self.answers(works: "", about: "Changed"))
            let blank = try await saveProfile(&web, Self.answers(works: "   ", about: "Changed"))
            // check
            for page in [empty, blank] {
                #expect(page.status == .unprocessableContent)
                #expect(page.contains("Works on: this field is required."))
            }
            #expect(try await storedAnswers(db, tenant) == before)
        }
    }

    @Test func anInvalidLinkIsRefusedAndNothingIsSaved() async throws {
        try await TestApp.run { db, web in
            // setup
            let (tenant, _) = try await memberWithSections(db, &web)
            _ = try await saveProfile(&web, Self.answers())
            let before = try await storedAnswers(db, tenant)
            for bad in ["javascript:alert(1)", "ftp://x.y", "https://localhost", "my site dot com"] {
                // act
                let page = try await saveProfile(&web, Self.answers(works: "Changed", site: bad))
                // check
                #expect(page.status == .unprocessableContent, "\(bad)")
                #expect(page.contains("Website: give a web address starting with https:// or http://."), "\(bad)")
            }
            #expect(try await storedAnswers(db, tenant) == before)
        }
    }

    @Test func aChoiceThatIsNotAnOptionIsRefusedAndNothingIsSaved() async throws {
        try await TestApp.run { db, web in
            // setup: a forged form, as the page only offers the options
            let (tenant, _) = try await memberWithSections(db, &web)
            _ = try await saveProfile(&web, Self.answers())
            let before = try await storedAnswers(db, tenant)
            // act
            let forged = try await saveProfile(&web, Self.answers(works: "Changed", drink: "Whisky"))
            let wrongCase = try await saveProfile(&web, Self.answers(works: "Changed", drink: "tea"))
            // check
            for page in [forged, wrongCase] {
                #expect(page.status == .unprocessableContent)
                #expect(page.contains("Drink: choose one of the options."))
            }
            #expect(try await storedAnswers(db, tenant) == before)
        }
    }

    @Test func tooLongOrMultiLineShortAnswersAreRefused() async throws {
        try await TestApp.run { db, web in
            // setup
            let (tenant, _) = try await memberWithSections(db, &web)
            let cases: [([(UUID, String)], String)] = [
                (Self.answers(works: String(repeating: "w", count: 201)), "Works on: at most 200 characters."),
                (Self.answers(works: "two\nlines"), "Works on: keep it to one line."),
                (Self.answers(about: String(repeating: "é", count: 4001)), "About me: at most 4000 characters."),
                (Self.answers(site: "https://example.com/" + String(repeating: "p", count: 481)), "Website: at most 500 characters."),
            ]
            for (answers, message) in cases {
                // act
                let page = try await saveProfile(&web, answers)
                // check
                #expect(page.status == .unprocessableContent, "\(message)")
                #expect(page.contains(message), "expected “\(message)”")
            }
            #expect(try await storedAnswers(db, tenant).isEmpty)
        }
    }

    @Test func answersAtTheLengthLimitAreSaved() async throws {
        try await TestApp.run { db, web in
            // setup: 4000 code points of "日" are 12000 bytes
            let (tenant, _) = try await memberWithSections(db, &web)
            let long = String(repeating: "日", count: 4000)
            let short = String(repeating: "👍", count: 200)
            // act
            let saved = try await saveProfile(&web, Self.answers(works: short, about: long))
            // check
            #expect(saved.status == .seeOther, "\(saved.body.prefix(500))")
            let stored = try await storedAnswers(db, tenant)["acme-member1"]
            #expect(stored?["About me"] == long && stored?["Works on"] == short)
        }
    }

    @Test func clearingAnOptionalAnswerRemovesIt() async throws {
        try await TestApp.run { db, web in
            // setup
            let (tenant, _) = try await memberWithSections(db, &web)
            _ = try await saveProfile(&web, Self.answers())
            // act
            let saved = try await saveProfile(&web, Self.answers(about: "", drink: "", site: ""))
            // check
            #expect(saved.status == .seeOther)
            #expect(try await storedAnswers(db, tenant) == ["acme-member1": ["Works on": "Bakery robots"]])
        }
    }

    @Test func anUploadedPictureIsStoredAsA400PixelSquareJPEG() async throws {
        try await TestApp.run { db, web in
            // setup
            let (tenant, member) = try await memberWithSections(db, &web)
            let original = SampleImages.make(800, 600, .png)
            // act
            let saved = try await saveProfile(&web, Self.answers(), picture: original)
            let stored = try #require(try await storedPicture(db, tenant, member))
            let served = try await web.get(TestApp.url("acme", "/images/\(Self.path(stored.0))"))
            let person = try await web.get(TestApp.url("acme", "/people/acme-member1"))
            // check
            #expect(saved.status == .seeOther)
            #expect(stored.1 == "image/jpeg" && stored.2 == 400 && stored.3 == 400 && stored.4 == "profile")
            #expect(served.status == .ok && served.headers[.contentType] == "image/jpeg")
            #expect(served.headers[.cacheControl]?.hasPrefix("private") == true, "never kept by shared caches")
            #expect(served.bytes.starts(with: [0xFF, 0xD8]))
            #expect(served.bytes != original)
            #expect(person.contains("src=\"/images/\(Self.path(stored.0))\""))
        }
    }

    @Test func aBadPictureIsRefusedAndNothingIsSavedNotEvenTheAnswers() async throws {
        try await TestApp.run { db, web in
            // setup
            let (tenant, member) = try await memberWithSections(db, &web)
            // act
            let page = try await saveProfile(&web, Self.answers(), picture: Array("just some text, not an image".utf8))
            // check
            #expect(page.status == .unprocessableContent)
            #expect(page.contains(#"<p class="field-error" id="picture-error">"#) && page.contains(#"aria-describedby="picture-error""#))
            #expect(try await storedAnswers(db, tenant).isEmpty)
            #expect(try await storedPicture(db, tenant, member) == nil)
            #expect(try await Fixtures(db).countAcrossTenants("images") == 0)
            #expect(try await Fixtures(db).countAcrossTenants("profiles") == 0)
        }
    }

    @Test func removingThePictureTakesItOffTheProfile() async throws {
        try await TestApp.run { db, web in
            // setup
            let (tenant, member) = try await memberWithSections(db, &web)
            _ = try await saveProfile(&web, Self.answers(), picture: SampleImages.make(500, 500, .jpeg))
            let picture = try #require(try await storedPicture(db, tenant, member)).0
            // act
            let saved = try await saveProfile(&web, Self.answers(), extra: [("remove_picture", "on")])
            let person = try await web.get(TestApp.url("acme", "/people/acme-member1"))
            // check
            #expect(saved.status == .seeOther)
            #expect(try await storedPicture(db, tenant, member) == nil)
            #expect(!person.contains("/images/\(Self.path(picture))"))
            #expect(person.contains("class=\"avatar large initials\""))
        }
    }

    // MARK: 5. Nobody outside the tenant sees profiles

    /// acme with a section, acme-member1's answer (`secret`) and picture; returns the section and picture.
    func acmeWithAProfile(_ db: TestDatabase) async throws -> (tenant: TenantID, section: UUID, picture: UUID) {
        let acme = try await Fixtures(db).populatedTenant("acme")
        let section = ProfileSection(label: "Works on", kind: .shortText, headline: true)
        try await makeSections(db, acme.tenant, [section])
        let picture = try await db.app.withTenant(acme.tenant) { tx in
            try await tx.saveProfileAnswers(tenant: acme.tenant, user: acme.members[0], [section.id: Self.secret])
            let id = try await tx.insertImage(tenant: acme.tenant, sha256: "member1", mime: "image/jpeg", width: 400, height: 400,
                                              bytes: SampleImages.make(400, 400, .jpeg), purpose: .profile)
            try await tx.setProfilePicture(tenant: acme.tenant, user: acme.members[0], image: id)
            return id
        }
        return (acme.tenant, section.id, picture)
    }

    /// A page of this host with the visitor's form token: any page's sign-out form, or the sign-in form.
    func formSource(_ web: inout WebClient, _ tenant: String) async throws -> String {
        for path in ["/", "/sign-in"] where try await web.get(TestApp.url(tenant, path)).csrf != nil {
            return TestApp.url(tenant, path)
        }
        throw TestSetupError("no form token on \(tenant)")
    }

    /// Every profile route of `tenant`'s host, as `web` sees it. The post carries a valid form token.
    func everyRoute(_ web: inout WebClient, on tenant: String, section: UUID, picture: UUID) async throws -> [(String, Page)] {
        let post = try await saveProfile(&web, [(section, "Written by \(tenant) visitor")], tenant: tenant,
                                         formURL: try await formSource(&web, tenant))
        return [
            ("GET /people", try await web.get(TestApp.url(tenant, "/people"))),
            ("GET /people/acme-member1", try await web.get(TestApp.url(tenant, "/people/acme-member1"))),
            ("GET /profile", try await web.get(TestApp.url(tenant, "/profile"))),
            ("POST /profile", post),
            ("GET picture", try await web.get(TestApp.url(tenant, "/images/\(Self.path(picture))"))),
        ]
    }

    /// Every route refused: pages redirect to `location` (a prefix), the picture is not found, nothing is written.
    func expectRefused(_ routes: [(String, Page)], redirectTo location: String, _ who: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        for (route, page) in routes {
            if route == "GET picture" {
                #expect(page.status == .notFound, "\(who) \(route): \(page.status)", sourceLocation: sourceLocation)
                #expect(!page.bytes.starts(with: [0xFF, 0xD8]), "\(who) \(route)", sourceLocation: sourceLocation)
            } else {
                #expect(page.status == .found, "\(who) \(route): \(page.status)", sourceLocation: sourceLocation)
                #expect(page.location?.hasPrefix(location) == true, "\(who) \(route): \(page.location ?? "no location")",
                        sourceLocation: sourceLocation)
            }
            #expect(!page.contains(Self.secret), "\(who) \(route)", sourceLocation: sourceLocation)
        }
    }

    func expectOnlyTheSecretAnswer(_ db: TestDatabase, _ tenant: TenantID, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await storedAnswers(db, tenant) == ["acme-member1": ["Works on": Self.secret]], sourceLocation: sourceLocation)
        #expect(try await Fixtures(db).countAcrossTenants("profile_answers") == 1, sourceLocation: sourceLocation)
    }

    @Test func anonymousVisitorsAreSentToSignInAndDoNotGetThePicture() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await acmeWithAProfile(db)
            // act
            let routes = try await everyRoute(&web, on: "acme", section: acme.section, picture: acme.picture)
            // check
            expectRefused(routes, redirectTo: "/sign-in?next=", "anonymous")
            try await expectOnlyTheSecretAnswer(db, acme.tenant)
        }
    }

    @Test func aMemberOfAnotherTenantSignedInOnThisHostDoesNotSeeProfiles() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await acmeWithAProfile(db)
            _ = try await Fixtures(db).populatedTenant("globex")
            try await TestApp.signIn(&web, "globex-member1", tenant: "acme")
            // act
            let routes = try await everyRoute(&web, on: "acme", section: acme.section, picture: acme.picture)
            // check
            expectRefused(routes, redirectTo: "/membership", "globex member on acme")
            try await expectOnlyTheSecretAnswer(db, acme.tenant)
        }
    }

    @Test func aSessionCookieReplayedOnAnotherTenantsHostIsNotASession() async throws {
        try await TestApp.run { db, web in
            // setup: globex-member1's session made on acme's host, sent to globex's host
            let acme = try await acmeWithAProfile(db)
            _ = try await Fixtures(db).populatedTenant("globex")
            let acmeHost = "acme.\(TestApp.rootHost)", globexHost = "globex.\(TestApp.rootHost)"
            try await TestApp.signIn(&web, "globex-member1", tenant: "acme")
            let token = try #require(web.cookie("mingle_session", host: acmeHost))
            var replay = WebClient(web.client)
            replay.setCookie("mingle_session", token, host: globexHost)
            // act
            let routes = try await everyRoute(&replay, on: "globex", section: acme.section, picture: acme.picture)
            // check
            expectRefused(routes, redirectTo: "/sign-in?next=", "acme-host cookie on globex")
            try await expectOnlyTheSecretAnswer(db, acme.tenant)
        }
    }

    @Test(arguments: [MembershipStatus.awaitingPayment, .suspended])
    func aMemberWhoseMembershipIsNotActiveIsSentToTheMembershipPage(_ status: MembershipStatus) async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await acmeWithAProfile(db)
            let fixtures = Fixtures(db)
            try await fixtures.membership(acme.tenant, try await fixtures.user("acme-inactive"), status: status)
            try await TestApp.signIn(&web, "acme-inactive", tenant: "acme")
            // act
            let routes = try await everyRoute(&web, on: "acme", section: acme.section, picture: acme.picture)
            // check
            expectRefused(routes, redirectTo: "/membership", "\(status.rawValue) member")
            try await expectOnlyTheSecretAnswer(db, acme.tenant)
        }
    }

    /// Every route answered: pages 200 with the profile (the post saves the visitor's own profile).
    func expectAllowed(_ routes: [(String, Page)], _ who: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (route, page) in routes {
            switch route {
            case "POST /profile":
                #expect(page.status == .seeOther, "\(who) \(route): \(page.status) \(page.body.prefix(300))", sourceLocation: sourceLocation)
            case "GET picture":
                #expect(page.status == .ok && page.bytes.starts(with: [0xFF, 0xD8]), "\(who) \(route): \(page.status)",
                        sourceLocation: sourceLocation)
            default:
                #expect(page.status == .ok, "\(who) \(route): \(page.status)", sourceLocation: sourceLocation)
            }
        }
        let pages = Dictionary(routes, uniquingKeysWith: { a, _ in a })
        #expect(pages["GET /people"]?.contains("href=\"/people/acme-member1\"") == true, "\(who)", sourceLocation: sourceLocation)
        #expect(pages["GET /people"]?.contains(Self.secret) == true, "\(who): the headline", sourceLocation: sourceLocation)
        #expect(pages["GET /people/acme-member1"]?.contains(Self.secret) == true, "\(who)", sourceLocation: sourceLocation)
        #expect(pages["GET /profile"]?.contains("<h1>Your profile</h1>") == true, "\(who)", sourceLocation: sourceLocation)
    }

    @Test(arguments: ["acme-member2", "acme-organizer"])
    func activeMembersAndTheOrganizerSeeProfiles(_ username: String) async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await acmeWithAProfile(db)
            try await TestApp.signIn(&web, username, tenant: "acme")
            // act
            let routes = try await everyRoute(&web, on: "acme", section: acme.section, picture: acme.picture)
            // check
            expectAllowed(routes, username)
            #expect(try await storedAnswers(db, acme.tenant)[username] == ["Works on": "Written by acme visitor"])
        }
    }

    @Test func aPlatformAdminWhoOpenedThePortalFromTheConsoleSeesProfiles() async throws {
        try await TestApp.run { db, web in
            // setup: the console's audited hand-off to acme's host
            let acme = try await acmeWithAProfile(db)
            _ = try await Fixtures(db).user("root", admin: true)
            try await TestApp.signIn(&web, "root", tenant: nil)
            let open = try await web.post(TestApp.url(nil, "/admin/tenants/acme/open-portal"), [], formURL: TestApp.url(nil, "/admin/tenants/acme"))
            let arrived = try await web.get(try #require(open.location))
            try #require(arrived.status == .seeOther)
            // act
            let people = try await web.get(TestApp.url("acme", "/people"))
            let person = try await web.get(TestApp.url("acme", "/people/acme-member1"))
            let form = try await web.get(Self.profileURL)
            let picture = try await web.get(TestApp.url("acme", "/images/\(Self.path(acme.picture))"))
            // check
            #expect(people.status == .ok && people.contains("href=\"/people/acme-member1\""))
            #expect(person.status == .ok && person.contains(Self.secret))
            #expect(form.status == .forbidden, "an admin has no profile of their own here")
            #expect(picture.status == .ok && picture.bytes.starts(with: [0xFF, 0xD8]))
            let audited = try await db.owner.query("SELECT action FROM platform_audit WHERE action LIKE 'member area: %'").all(String.self)
            #expect(Set(audited) == ["member area: list people", "member area: view profile"])
        }
    }

    @Test
    func aPlatformAdminActingForTheTenantIsNotOfferedAProfileItCannotSave() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await acmeWithAProfile(db)
            _ = try await Fixtures(db).user("root", admin: true)
            try await TestApp.signIn(&web, "root", tenant: nil)
            let open = try await web.post(TestApp.url(nil, "/admin/tenants/acme/open-portal"), [], formURL: TestApp.url(nil, "/admin/tenants/acme"))
            _ = try await web.get(try #require(open.location))
            // act
            let saved = try await saveProfile(&web, [(acme.section, "Admin answer")])
            // check: a clear refusal (or a saved profile), never a server error
            #expect(saved.status.code < 500, "\(saved.status)")
            try await expectOnlyTheSecretAnswer(db, acme.tenant)
        }
    }

    @Test func aMemberOfAnotherTenantHasNoProfilePageOrPictureHere() async throws {
        try await TestApp.run { db, web in
            // setup: globex-member1 has a picture in globex
            _ = try await acmeWithAProfile(db)
            let globex = try await Fixtures(db).populatedTenant("globex")
            let picture = try await db.app.withTenant(globex.tenant) { tx in
                let id = try await tx.insertImage(tenant: globex.tenant, sha256: "g", mime: "image/jpeg", width: 400, height: 400,
                                                  bytes: SampleImages.make(400, 400, .jpeg), purpose: .profile)
                try await tx.setProfilePicture(tenant: globex.tenant, user: globex.members[0], image: id)
                return id
            }
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let person = try await web.get(TestApp.url("acme", "/people/globex-member1"))
            let image = try await web.get(TestApp.url("acme", "/images/\(Self.path(picture))"))
            // check
            #expect(person.status == .notFound)
            #expect(image.status == .notFound && !image.bytes.starts(with: [0xFF, 0xD8]))
        }
    }

    @Test func thePeoplePageOfAnotherTenantNeverListsThisTenantsPeople() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await acmeWithAProfile(db)
            _ = try await Fixtures(db).populatedTenant("globex")
            try await TestApp.signIn(&web, "globex-member1", tenant: "globex")
            // act
            let people = try await web.get(TestApp.url("globex", "/people"))
            let search = try await web.get(TestApp.url("globex", "/people?q=acme"))
            let person = try await web.get(TestApp.url("globex", "/people/acme-member1"))
            // check
            #expect(people.status == .ok)
            #expect(Set(listed(people)) == ["globex-organizer", "globex-member1", "globex-member2"])
            #expect(!people.contains("acme-") && !people.contains(Self.secret))
            #expect(listed(search).isEmpty && search.contains("Nobody matches"))
            #expect(person.status == .notFound && !person.contains(Self.secret))
        }
    }

    @Test(arguments: [MembershipStatus.suspended, .awaitingPayment])
    func aMemberWhoIsNotActiveIsNotListedAndHasNoProfilePage(_ status: MembershipStatus) async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let section = ProfileSection(label: "Works on", kind: .shortText)
            try await makeSections(db, acme.tenant, [section])
            let inactive = try await fixtures.user("acme-inactive")
            try await fixtures.membership(acme.tenant, inactive, status: status)
            try await answer(db, acme.tenant, inactive, [section.id: "Inactive answer"])
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let people = try await web.get(TestApp.url("acme", "/people"))
            let search = try await web.get(TestApp.url("acme", "/people?q=inactive"))
            let person = try await web.get(TestApp.url("acme", "/people/acme-inactive"))
            // check
            #expect(Set(listed(people)) == ["acme-organizer", "acme-member1", "acme-member2"])
            #expect(listed(search).isEmpty)
            #expect(person.status == .notFound && !person.contains("Inactive answer"))
        }
    }

    // MARK: 6. The people page

    /// acme with named members; acme-member1 signed in.
    func namedPeople(_ db: TestDatabase, _ web: inout WebClient) async throws -> TenantID {
        let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
        try await rename(db, "acme-organizer", first: "Olga", last: "Miller")
        try await rename(db, "acme-member1", first: "Priscilla", last: "Young")
        try await rename(db, "acme-member2", first: "Zoe", last: "Adams")
        try await rename(db, "acme-member3", first: "Anna", last: "baker")
        let works = ProfileSection(label: "Works on", kind: .shortText, headline: true)
        try await makeSections(db, acme.tenant, [works])
        try await answer(db, acme.tenant, acme.members[1], [works.id: "Builds wooden boats"])
        try await answer(db, acme.tenant, acme.members[2], [works.id: "100% remote, snake_case fan"])
        try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
        return acme.tenant
    }

    @Test func peopleAreOrderedByLastNameIgnoringCase() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await namedPeople(db, &web)
            // act
            let page = try await people(&web)
            // check
            #expect(listed(page) == ["acme-member2", "acme-member3", "acme-organizer", "acme-member1"])
            #expect(page.contains("<strong>Zoe Adams</strong> <span class=\"online\"") && page.contains("<br><span class=\"hint\">Builds wooden boats</span>"))
        }
    }

    @Test func searchFindsPeopleByFirstName() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await namedPeople(db, &web)
            // act
            let page = try await people(&web, search: "prisc")
            // check
            #expect(listed(page) == ["acme-member1"])
            #expect(page.contains("1 found"))
        }
    }

    @Test func searchFindsPeopleByFullName() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await namedPeople(db, &web)
            // act
            let page = try await people(&web, search: "zoe ADAMS")
            // check
            #expect(listed(page) == ["acme-member2"])
        }
    }

    @Test
    func searchFindsAFullNameAsABrowserSendsIt() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await namedPeople(db, &web)
            // act: what the search form on the page submits for “zoe adams”
            let page = try await web.get(TestApp.url("acme", "/people?q=zoe+adams"))
            // check
            #expect(listed(page) == ["acme-member2"])
            #expect(page.contains("value=\"zoe adams\""))
        }
    }

    @Test func searchFindsPeopleByUsername() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await namedPeople(db, &web)
            // act
            let page = try await people(&web, search: "CME-MEMBER3")
            // check
            #expect(listed(page) == ["acme-member3"])
        }
    }

    @Test func searchFindsPeopleByTheirProfileAnswers() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await namedPeople(db, &web)
            // act
            let page = try await people(&web, search: "Wooden")
            // check
            #expect(listed(page) == ["acme-member2"])
        }
    }

    /// As wildcards, every one of these would match everybody (or, for "e_m" and "%r", the usernames and names).
    @Test(arguments: [("%", ["acme-member3"]), ("_", ["acme-member3"]), ("0%", ["acme-member3"]), ("e_c", ["acme-member3"]),
                      ("e_m", []), ("%r", []), ("\\", [])])
    func wildcardCharactersInASearchMatchLiterally(_ search: String, _ expected: [String]) async throws {
        try await TestApp.run { db, web in
            // setup: only acme-member3's answer has "%" and "_" ("100% remote, snake_case fan"); nobody has a backslash
            _ = try await namedPeople(db, &web)
            // act
            let page = try await people(&web, search: search)
            // check
            #expect(listed(page) == expected, "\(search)")
        }
    }

    @Test func aSearchThatMatchesNobodySaysSo() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await namedPeople(db, &web)
            // act
            let page = try await people(&web, search: "<nobody>")
            // check
            #expect(listed(page).isEmpty)
            #expect(page.contains("Nobody matches “&lt;nobody&gt;”."))
        }
    }

    @Test func thirtyOneMembersFillTwoPagesWithWorkingLinks() async throws {
        try await TestApp.run { db, web in
            // setup: 30 members and the organizer
            _ = try await Fixtures(db).populatedTenant("acme", members: 30)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let first = try await people(&web)
            let next = try #require(link(first, rel: "next"))
            let second = try await web.get(TestApp.url("acme", next))
            let previous = try #require(link(second, rel: "prev"))
            let back = try await web.get(TestApp.url("acme", previous))
            // check
            #expect(listed(first).count == 24 && listed(second).count == 7)
            #expect(Set(listed(first)).isDisjoint(with: listed(second)))
            #expect(Set(listed(first) + listed(second)) == Set(["acme-organizer"] + (1...30).map { "acme-member\($0)" }))
            #expect(first.contains("Page 1 of 2") && second.contains("Page 2 of 2") && first.contains("31 members"))
            #expect(link(first, rel: "prev") == nil && link(second, rel: "next") == nil)
            #expect(listed(back) == listed(first))
        }
    }

    @Test func pagingKeepsTheSearch() async throws {
        try await TestApp.run { db, web in
            // setup: 30 members match "member", the organizer does not
            _ = try await Fixtures(db).populatedTenant("acme", members: 30)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let first = try await people(&web, search: "member")
            let next = try #require(link(first, rel: "next"))
            let second = try await web.get(TestApp.url("acme", next))
            // check
            #expect(next == "/people?page=2&q=member")
            #expect(first.contains("30 found"))
            #expect(listed(first).count == 24 && listed(second).count == 6)
            #expect(!(listed(first) + listed(second)).contains("acme-organizer"))
        }
    }

    @Test func aPageBeyondTheLastShowsTheLastAndOneBelowTheFirstIsTheFirst() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let beyond = try await people(&web, page: 5)
            let nonsense = try await web.get(TestApp.url("acme", "/people?page=-3"))
            // check
            #expect(beyond.status == .ok && listed(beyond).count == 3 && beyond.contains("Page 1 of 1"))
            #expect(nonsense.status == .ok && listed(nonsense).count == 3 && nonsense.contains("Page 1 of 1"))
        }
    }

    @Test
    func anAbsurdPageNumberShowsTheLastPageNotACrash() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let page = try await web.get(TestApp.url("acme", "/people?page=\(Int.max)"))
            // check
            #expect(page.status == .ok && listed(page).count == 3 && page.contains("Page 1 of 1"))
        }
    }
}

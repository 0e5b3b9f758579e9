import Foundation
import Hummingbird
import Store
import Testing
import TestSupport
@testable import MingleApp

/// One error style (issue 14): a refused form comes back with every problem at once, each beside
/// its field (`aria-invalid`, described by its words), listed above with links, the text kept.
@Suite struct FormProblemsTests {
    /// The field's own error paragraph and the field marked by it.
    static func marked(_ page: Page, _ field: String, _ words: String) -> Bool {
        page.contains(#"<p class="field-error" id="\#(field)-error">\#(words)"#)
            && page.contains(##"<a href="#\##(field)">\##(words)"##)
            && page.body.range(of: #"id="\#(field)"[^>]*aria-invalid="true" aria-describedby="[^"]*\#(field)-error"#,
                               options: .regularExpression) != nil
    }

    @Test func aRefusedRegistrationShowsEveryProblemBesideItsFieldAndKeepsTheText() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            let url = TestApp.url("acme", "/register")
            // act
            let page = try await web.post(url, [("first_name", "Kenji"), ("last_name", ""), ("email", "nope"), ("username", "-x"),
                                                ("password", String(repeating: "é", count: 40)), ("confirmation", "other")])
            // check
            #expect(page.status == .unprocessableContent)
            #expect(Self.marked(page, "last_name", "Give your last name"))
            #expect(Self.marked(page, "email", "Give a valid email address"))
            #expect(Self.marked(page, "username", Validation.usernameRule))
            #expect(Self.marked(page, "password", "Choose a shorter password"))
            #expect(!page.contains("bytes") && !page.contains(#"id="first_name-error""#))
            #expect(page.contains(#"value="Kenji""#) && page.contains(#"value="nope""#))
            let users = try await db.owner.query("SELECT count(*)::int FROM users").first(Int.self)
            #expect(users == 3)   // the fixture's three; nothing written
        }
    }

    @Test func aRefusedSessionFormShowsEveryProblemBesideItsField() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            var form = SessionSchedulingTests.form(title: "", minutes: -30, questions: [])
            form.append(("description", String(repeating: "d", count: 5001)))
            form.removeAll { $0.0 == "description" && $0.1 == "Bring a question." }
            // act
            let page = try await web.post(TestApp.url("acme", "/organize/sessions"), form,
                                          formURL: TestApp.url("acme", "/organize/sessions/new"))
            // check
            #expect(page.status == .unprocessableContent)
            #expect(Self.marked(page, "title", "Give the session a title"))
            #expect(Self.marked(page, "description", "The description can be at most 5,000 characters; this one has 5,001."))
            #expect(Self.marked(page, "ends_at", "The session must end after it starts."))
            #expect(Self.marked(page, "questions", "Pick at least one survey question."))
            #expect(page.contains(String(repeating: "d", count: 5001)))
            #expect(try await SessionSchedulingTests.sessions(db, acme.tenant).isEmpty)
        }
    }
}

extension FormProblemsTests {
    @Test func aRefusedProfileKeepsTheChosenPictureAndTheNextSaveUsesIt() async throws {
        try await TestApp.run { db, web in
            // setup: a required section left empty, a good picture chosen
            let acme = try await Fixtures(db).populatedTenant("acme")
            let section = UUID()
            try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("""
                    INSERT INTO profile_sections (tenant_id, id, label, kind, required, position)
                    VALUES (\(acme.tenant), \(section), 'Company', 'short_text', true, 1)
                    """, logger: TestEnvironment.logger)
            }
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let url = TestApp.url("acme", "/profile")
            let field = ProfileEditModel.fieldID(section)
            let png = SampleImages.make(600, 450, .png)
            // act
            let refused = try await web.postMultipart(url, fields: [("section-\(section.uuidString.lowercased())", "")],
                                                      files: [("picture", "me.png", "image/png", png)], formURL: url)
            let kept = try #require(refused.body.range(of: #"name="kept_picture" value="([^"]+)""#, options: .regularExpression)
                .map { String(refused.body[$0]).components(separatedBy: "value=\"")[1].dropLast() }.map(String.init))
            let saved = try await web.postMultipart(url, fields: [("section-\(section.uuidString.lowercased())", "Acme"),
                                                                  ("kept_picture", kept)], files: [], formURL: url)
            // check
            #expect(refused.status == .unprocessableContent)
            #expect(FormProblemsTests.marked(refused, field, ""))
            #expect(kept.hasPrefix("data:image/"))
            #expect(saved.status == .seeOther)
            let picture = try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("SELECT count(*)::int FROM profiles WHERE picture_image_id IS NOT NULL",
                                  logger: TestEnvironment.logger).first(Int.self)
            }
            #expect(picture == 1)
        }
    }
}

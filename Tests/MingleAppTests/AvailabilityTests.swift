import Foundation
@testable import MingleApp
import PostgresNIO
import Store
import Testing
import TestSupport

/// Who sees whom online (issue 16): "appear offline" and "do not disturb" in the account, and
/// the "Online now" list of the people one may write to and call.
@Suite struct AvailabilityTests {
    static let account = TestApp.url("acme", "/account")

    func availability(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID) async throws -> (Bool, Bool)? {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT appear_offline, do_not_disturb FROM memberships WHERE user_id = \(user)",
                              logger: TestEnvironment.logger).first((Bool, Bool).self)
        }
    }

    func isOnline(_ socket: TestSocket, _ id: UUID) -> Bool {
        // (the last word on them: a later "offline" undoes an earlier "online")
        for text in socket.texts.reversed() where text.contains(#""type":"presence""#) && text.contains(id.uuidString) {
            guard let offline = text.range(of: #""offline":["#), let mention = text.range(of: id.uuidString) else { continue }
            return mention.lowerBound < offline.lowerBound
        }
        return false
    }

    @Test func appearingOfflineHidesEveryPageAtOnceAndComingBackShowsThem() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Ben has a page open; Ana chooses to appear offline, then opens a page.
            let acme = try await Fixtures(db).populatedTenant("acme")
            let ana = acme.members[0]
            let ben = try await LiveSocketMediaTests.socket(web, username: "acme-member2", port: port, session: nil)
            _ = try await ben.next(type: "presence")
            var anaWeb = WebClient(web.client)
            try await TestApp.signIn(&anaWeb, "acme-member1", tenant: "acme")
            let saved = try await anaWeb.post(TestApp.url("acme", "/account/availability"), [("appear_offline", "on")], formURL: Self.account)
            let anaPage = try await LiveSocketMediaTests.socket(web, username: "acme-member1", port: port, session: nil)
            _ = try await anaPage.next(type: "presence")
            try await Task.sleep(for: .milliseconds(500))
            let hidden = !isOnline(ben, ana)
            let accountPage = try await anaWeb.get(Self.account)

            // act: she turns it off again (her page stays open).
            _ = try await anaWeb.post(TestApp.url("acme", "/account/availability"), [], formURL: Self.account)

            // check: saved, said, and kept in the database; Ben never saw her while she appeared
            // offline and sees her at once after; her page still gets what is hers (the list).
            #expect(saved.status == .seeOther)
            #expect(try await availability(db, acme.tenant, ana).map { [$0.0, $0.1] } == [false, false])
            #expect(hidden)
            #expect(accountPage.contains(#"id="appear_offline" checked"#))
            #expect(!accountPage.contains(#"id="do_not_disturb" checked"#))
            _ = try await ben.next("Ana online", timeout: .seconds(5)) {
                $0["type"]?.string == "presence" && $0["data"]?["online"]?.array?.contains(.string(ana.uuidString)) == true
            }
            #expect(anaPage.texts.contains { $0.contains(acme.members[1].uuidString) })
            await anaPage.close()
            await ben.close()
        }
    }

    @Test func theChoicesAreSavedPerCommunityAndSaidBack() async throws {
        try await TestApp.run { db, web in
            // setup: member1 of acme is a member of globex too.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            try await fixtures.inTenant(globex.tenant) { c in
                try await c.query("INSERT INTO memberships (tenant_id, user_id, role, status) VALUES (\(globex.tenant), \(acme.members[0]), 'member', 'active')",
                                  logger: TestEnvironment.logger)
            }
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")

            // act: do not disturb in acme only.
            let saved = try await web.post(TestApp.url("acme", "/account/availability"), [("do_not_disturb", "on")], formURL: Self.account)

            // check: acme has it, globex does not; the flash says what it means.
            #expect(saved.status == .seeOther)
            #expect(try await availability(db, acme.tenant, acme.members[0]).map { [$0.0, $0.1] } == [false, true])
            #expect(try await availability(db, globex.tenant, acme.members[0]).map { [$0.0, $0.1] } == [false, false])
            let page = try await web.get(Self.account)
            #expect(page.contains(#"id="do_not_disturb" checked"#))
            #expect(page.contains("calls do not ring: callers hear you are not taking calls, and you find a missed call"))
        }
    }

    @Test func theOnlineListHoldsThoseOneMayWriteToAndNobodyElse() async throws {
        try await TestApp.run { db, web in
            // setup: member1 is connected with member2 (accepted) and asked member3 (pending);
            // member4 is a stranger; globex has people too.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 4)
            let globex = try await fixtures.populatedTenant("globex")
            let (one, two, three, four) = (acme.members[0], acme.members[1], acme.members[2], acme.members[3])
            try await fixtures.inTenant(acme.tenant) { c in
                try await c.query("""
                    INSERT INTO connections (tenant_id, requester_id, recipient_id, status) VALUES
                        (\(acme.tenant), \(one), \(two), 'accepted'), (\(acme.tenant), \(one), \(three), 'pending')
                    """, logger: TestEnvironment.logger)
            }
            func listed(_ page: Page, _ id: UUID) -> Bool { page.contains(#"data-online-for="\#(id.uuidString)""#) }

            // act: member1 and the organizer open their messages.
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let member = try await web.get(TestApp.url("acme", "/messages"))
            var organizerWeb = WebClient(web.client)
            try await TestApp.signIn(&organizerWeb, "acme-organizer", tenant: "acme")
            let organizer = try await organizerWeb.get(TestApp.url("acme", "/messages"))

            // check: the member's list is their connection and the organizer; the organizer's is everyone
            // of acme but themself; nobody of globex anywhere.
            #expect(member.contains("Online now"))
            #expect(listed(member, two) && listed(member, acme.organizer))
            #expect(!listed(member, three) && !listed(member, four) && !listed(member, one))
            #expect([one, two, three, four].allSatisfy { listed(organizer, $0) })
            #expect(!listed(organizer, acme.organizer))
            #expect(!(globex.members + [globex.organizer]).contains { listed(member, $0) || listed(organizer, $0) })
        }
    }
}

import Foundation
import Hummingbird
import RealTime
import Store
import Testing
import TestSupport

/// The connection lifecycle between members, and what organizers may do.
@Suite struct ConnectionTests {
    func pair(_ db: TestDatabase, _ tenant: TenantID, _ a: UserID, _ b: UserID) async throws -> (status: String, acceptedBy: UUID?)? {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("""
                SELECT status, accepted_by FROM connections
                WHERE least(requester_id, recipient_id) = least(\(a), \(b)) AND greatest(requester_id, recipient_id) = greatest(\(a), \(b))
                """, logger: TestEnvironment.logger).first((String, UUID?).self).map { ($0.0, $0.1) }
        }
    }

    func notices(_ db: TestDatabase, _ tenant: TenantID, _ user: UserID) async throws -> [String] {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT text FROM notifications WHERE user_id = \(user) ORDER BY created_at", logger: TestEnvironment.logger).all(String.self)
        }
    }

    func connectionID(_ db: TestDatabase, _ tenant: TenantID) async throws -> String {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT id FROM connections", logger: TestEnvironment.logger).first(UUID.self)
        }.map { $0.uuidString.lowercased() } ?? "none"
    }

    @Test func aRequestIsSentAcceptedAndRemovedAndEachStepIsAnnounced() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let (ana, ben) = (acme.members[0], acme.members[1])
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            var other = WebClient(web.client)
            try await TestApp.signIn(&other, "acme-member2", tenant: "acme")
            // act 1: ana asks
            let asked = try await web.post(TestApp.url("acme", "/people/acme-member2/connect"), [], formURL: TestApp.url("acme", "/people/acme-member2"))
            let pending = try await pair(db, acme.tenant, ana, ben)
            let benSees = try await other.get(TestApp.url("acme", "/connections"))
            // act 2: ben accepts
            let id = try await connectionID(db, acme.tenant)
            let accepted = try await other.post(TestApp.url("acme", "/connections/\(id)/accept"), [], formURL: TestApp.url("acme", "/connections"))
            let connected = try await pair(db, acme.tenant, ana, ben)
            // act 3: ana removes it
            let removed = try await web.post(TestApp.url("acme", "/connections/\(id)/remove"), [], formURL: TestApp.url("acme", "/connections"))
            // check
            #expect(asked.status == .seeOther && accepted.status == .seeOther && removed.status == .seeOther)
            #expect(pending?.status == "pending")
            #expect(benSees.contains("Asking to connect with you") && benSees.contains("Acme-Member1"))
            #expect(connected?.status == "accepted" && connected?.acceptedBy == ben)
            #expect(try await pair(db, acme.tenant, ana, ben) == nil)
            #expect(try await notices(db, acme.tenant, ben) == ["Acme-Member1 Tester would like to connect with you.", "Acme-Member1 Tester removed your connection."])
            #expect(try await notices(db, acme.tenant, ana) == ["Acme-Member2 Tester accepted your connection request."])
        }
    }

    @Test func declineAndWithdrawDeleteTheRequestAndTellTheOther() async throws {
        try await TestApp.run { db, web in
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            var ben = WebClient(web.client)
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/people/acme-member2/connect"), [], formURL: TestApp.url("acme", "/people/acme-member2"))
            let first = try await connectionID(db, acme.tenant)
            _ = try await ben.post(TestApp.url("acme", "/connections/\(first)/decline"), [], formURL: TestApp.url("acme", "/connections"))
            #expect(try await pair(db, acme.tenant, acme.members[0], acme.members[1]) == nil)
            _ = try await web.post(TestApp.url("acme", "/people/acme-member3/connect"), [], formURL: TestApp.url("acme", "/people/acme-member3"))
            let second = try await connectionID(db, acme.tenant)
            _ = try await web.post(TestApp.url("acme", "/connections/\(second)/cancel"), [], formURL: TestApp.url("acme", "/connections"))
            #expect(try await pair(db, acme.tenant, acme.members[0], acme.members[2]) == nil)
            #expect(try await notices(db, acme.tenant, acme.members[0]).contains("Acme-Member2 Tester declined your connection request."))
            #expect(try await notices(db, acme.tenant, acme.members[2]).last == "Acme-Member1 Tester withdrew their connection request.")
        }
    }

    @Test func onlyTheRecipientMayAcceptAndOutsidersCannotTouchARequest() async throws {
        try await TestApp.run { db, web in
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/people/acme-member2/connect"), [], formURL: TestApp.url("acme", "/people/acme-member2"))
            let id = try await connectionID(db, acme.tenant)
            let selfAccept = try await web.post(TestApp.url("acme", "/connections/\(id)/accept"), [], formURL: TestApp.url("acme", "/connections"))
            var carol = WebClient(web.client)
            try await TestApp.signIn(&carol, "acme-member3", tenant: "acme")
            let outsider = try await carol.post(TestApp.url("acme", "/connections/\(id)/accept"), [], formURL: TestApp.url("acme", "/connections"))
            #expect(selfAccept.status == .conflict)
            #expect(outsider.status == .notFound)
            #expect(try await pair(db, acme.tenant, acme.members[0], acme.members[1])?.status == "pending")
        }
    }

    @Test func askingBackIsAccepting() async throws {
        try await TestApp.run { db, web in
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/people/acme-member2/connect"), [], formURL: TestApp.url("acme", "/people/acme-member2"))
            var ben = WebClient(web.client)
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")
            _ = try await ben.post(TestApp.url("acme", "/people/acme-member1/connect"), [], formURL: TestApp.url("acme", "/people/acme-member1"))
            #expect(try await pair(db, acme.tenant, acme.members[0], acme.members[1])?.status == "accepted")
        }
    }

    @Test func twoPeopleAskingEachOtherAtOnceEndUpConnected() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            var ana = WebClient(web.client), ben = WebClient(web.client)
            try await TestApp.signIn(&ana, "acme-member1", tenant: "acme")
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")
            let anaToken = try #require(try await ana.get(TestApp.url("acme", "/people/acme-member2")).csrf)
            let benToken = try #require(try await ben.get(TestApp.url("acme", "/people/acme-member1")).csrf)
            let (anaClient, benClient) = (ana, ben)
            // act: both press Connect at the same moment, a few times over
            for _ in 0..<3 {
                try await Fixtures(db).inTenant(acme.tenant) { c in try await c.query("DELETE FROM connections", logger: TestEnvironment.logger) }
                async let first = { var a = anaClient; return try await a.post(TestApp.url("acme", "/people/acme-member2/connect"), [], csrf: anaToken).status }()
                async let second = { var b = benClient; return try await b.post(TestApp.url("acme", "/people/acme-member1/connect"), [], csrf: benToken).status }()
                let statuses = try await [first, second]
                // check
                #expect(statuses == [.seeOther, .seeOther])
                #expect(try await pair(db, acme.tenant, acme.members[0], acme.members[1])?.status == "accepted")
            }
        }
    }

    @Test func organizersConnectMembersDirectlyAndApproveOnTheRecipientsBehalf() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            var ana = WebClient(web.client)
            try await TestApp.signIn(&ana, "acme-member1", tenant: "acme")
            _ = try await ana.post(TestApp.url("acme", "/people/acme-member3/connect"), [], formURL: TestApp.url("acme", "/people/acme-member3"))
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let page = TestApp.url("acme", "/organize/connections")
            // act
            let direct = try await web.post(page, [("first", "acme-member1"), ("second", "acme-member2")])
            let id = try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("SELECT id FROM connections WHERE status = 'pending'", logger: TestEnvironment.logger).first(UUID.self)
            }
            let listed = try await web.get(page)
            let approved = try await web.post(TestApp.url("acme", "/organize/connections/\(try #require(id).uuidString.lowercased())/approve"), [], formURL: page)
            let same = try await web.post(page, [("first", "acme-member1"), ("second", "acme-member1")])
            // check
            #expect(direct.status == .seeOther && approved.status == .seeOther)
            #expect(listed.contains("acme-member1 → acme-member3"))
            #expect(try await pair(db, acme.tenant, acme.members[0], acme.members[1])?.acceptedBy == acme.organizer)
            #expect(try await pair(db, acme.tenant, acme.members[0], acme.members[2])?.acceptedBy == acme.organizer)
            #expect(try await notices(db, acme.tenant, acme.members[1]).contains { $0.contains("The organizer connected you") })
            #expect(try await notices(db, acme.tenant, acme.members[2]).contains("The organizer approved a connection request to you."))
            #expect(same.status == .unprocessableContent)
        }
    }

    @Test func membersOfAnotherTenantCannotBeAskedOrConnected() async throws {
        try await TestApp.run { db, web in
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.populatedTenant("globex")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let ask = try await web.post(TestApp.url("acme", "/people/globex-member1/connect"), [], formURL: TestApp.url("acme", "/people"))
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            let connect = try await organizer.post(TestApp.url("acme", "/organize/connections"), [("first", "acme-member1"), ("second", "globex-member1")])
            #expect(ask.status == .notFound && connect.status == .notFound)
            #expect(try await fixtures.countAcrossTenants("connections") == 0)
        }
    }

    /// Every connection of a tenant as the owner sees it, for "unchanged" checks.
    func stored(_ db: TestDatabase, _ tenant: TenantID) async throws -> [String] {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("SELECT id, requester_id, recipient_id, status, accepted_by FROM connections ORDER BY id",
                              logger: TestEnvironment.logger).all((UUID, UUID, UUID, String, UUID?).self)
        }.map { "\($0.0) \($0.1)→\($0.2) \($0.3) \($0.4?.uuidString ?? "-")" }
    }

    @Test func anotherTenantsRequestsAndConnectionsAreNotFound() async throws {
        try await TestApp.run { db, web in
            // setup: acme-member1 belongs to globex too, with a request to them and a connection there
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let me = acme.members[0]
            try await fixtures.membership(globex.tenant, me)
            let (pending, accepted) = (UUID(), UUID())
            try await fixtures.inTenant(globex.tenant) { c in
                try await c.query("""
                    INSERT INTO connections (tenant_id, id, requester_id, recipient_id, status) VALUES
                        (\(globex.tenant), \(pending), \(globex.members[0]), \(me), 'pending'),
                        (\(globex.tenant), \(accepted), \(me), \(globex.members[1]), 'accepted')
                    """, logger: TestEnvironment.logger)
            }
            let before = try await stored(db, globex.tenant)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            // act: on acme's site, every action on globex's rows, an unknown id and a malformed one
            let ids = [pending, accepted, UUID()].map { $0.uuidString.lowercased() } + ["nope"]
            var answers: [(String, Page)] = []
            for action in ["accept", "decline", "cancel", "remove"] {
                for id in ids {
                    answers.append(("\(action) \(id)", try await web.post(TestApp.url("acme", "/connections/\(id)/\(action)"), [],
                                                                          formURL: TestApp.url("acme", "/connections"))))
                }
            }
            for id in ids {
                answers.append(("approve \(id)", try await organizer.post(TestApp.url("acme", "/organize/connections/\(id)/approve"), [],
                                                                         formURL: TestApp.url("acme", "/organize/connections"))))
            }
            // check: not found, never a redirect with a flash; globex's rows as they were
            #expect(notNotFound(answers).isEmpty, "\(notNotFound(answers))")
            #expect(answers.allSatisfy { $0.1.contains("no longer") })
            #expect(try await stored(db, globex.tenant) == before)
            #expect(try await stored(db, acme.tenant).isEmpty)
            #expect(try await fixtures.countAcrossTenants("notifications") == 0)
        }
    }
}

/// Private messages: who may write, confinement to the tenant, batching of emails, broadcasts.
@Suite struct MessageTests {
    func connect(_ db: TestDatabase, _ tenant: TenantID, _ a: UserID, _ b: UserID) async throws {
        try await Fixtures(db).inTenant(tenant) { c in
            try await c.query("INSERT INTO connections (tenant_id, requester_id, recipient_id, status) VALUES (\(tenant), \(a), \(b), 'accepted')",
                              logger: TestEnvironment.logger)
        }
    }

    func mails(_ db: TestDatabase, to address: String) async throws -> Int {
        try await Fixtures(db).count("outbox WHERE to_address = '\(address)'")
    }

    @Test func connectedMembersWriteAndTheRecipientSeesUnreadCountsAndNewMessagesWithoutReload() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Ben has a page open (its socket); Ana writes to him.
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await connect(db, acme.tenant, acme.members[0], acme.members[1])
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let ben = try await LiveSocketMediaTests.socket(web, username: "acme-member2", port: port, session: nil)
            _ = try await ben.next(type: "presence")

            // act
            let sent = try await web.post(TestApp.url("acme", "/messages/acme-member2"), [("body", "Hello <Ben> & welcome")])

            // check: the message and the new count arrive over Ben's socket (nothing polls).
            let pushed = try await ben.next(type: "message")
            let unread = try await ben.next(type: "unread")
            #expect(sent.status == .seeOther)
            #expect(pushed["data"]?["with"]?.string == "acme-member1")
            #expect(pushed["data"]?["message"]?["body"]?.string == "Hello <Ben> & welcome")
            #expect(pushed["data"]?["message"]?["mine"] == .bool(false))
            #expect(unread["data"]?["messages"] == .number(1))

            // act: Ben's page shows it and says so.
            let id = try #require(pushed["data"]?["message"]?["id"])
            ben.send("read", data: ["with": "acme-member1", "upTo": id])

            // check: the count drops on every page of his; the page itself shows the message.
            let after = try await ben.next(type: "unread")
            #expect(after["data"]?["messages"] == .number(0))
            var reader = WebClient(web.client)
            try await TestApp.signIn(&reader, "acme-member2", tenant: "acme")
            let page = try await reader.get(TestApp.url("acme", "/messages/acme-member1"))
            #expect(page.contains("Hello &lt;Ben&gt; &amp; welcome") && page.contains(#"data-with="acme-member1""#))
            await ben.close()
        }
    }

    @Test func linksInMessagesAreClickableAndAnOpenConversationIsNotCountedUnread() async throws {
        try await TestApp.run { db, web in
            // setup: Ana writes two messages to Ben, one with links
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await connect(db, acme.tenant, acme.members[0], acme.members[1])
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/messages/acme-member2"), [("body", "First")])
            _ = try await web.post(TestApp.url("acme", "/messages/acme-member2"),
                                   [("body", "See https://example.com/a?b=1&c=2. Not javascript:alert(1) <b>")])
            var ben = WebClient(web.client)
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")

            // act
            let home = try await ben.get(TestApp.url("acme", "/"))
            let conversation = try await ben.get(TestApp.url("acme", "/messages/acme-member1"))
            let after = try await ben.get(TestApp.url("acme", "/"))

            // check: the badge counts 2 before, none on the conversation that shows them, none after
            let badge = #/data-unread="messages" aria-hidden="true"( hidden)?>(\d+)</#
            #expect(try badge.firstMatch(in: home.body).map { "\($0.output.2)" } == "2")
            #expect(try badge.firstMatch(in: conversation.body).map { "\($0.output.1 == nil ? "shown" : "hidden") \($0.output.2)" } == "hidden 0")
            #expect(try badge.firstMatch(in: after.body).map { "\($0.output.2)" } == "0")
            // what a screen reader says after the link's name
            #expect(home.contains(#"data-unread-label="messages">, 2 unread</span>"#))
            #expect(conversation.contains(#"data-unread-label="messages"></span>"#))
            #expect(conversation.contains(#"<a href="https://example.com/a?b=1&amp;c=2" rel="noopener nofollow" target="_blank">https://example.com/a?b=1&amp;c=2</a>. Not javascript:alert(1) &lt;b&gt;"#))
            #expect(!conversation.contains(#"href="javascript"#))
        }
    }

    @Test func aNotificationArrivesOnTheRecipientsOpenPagesAndNowhereElse() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: Ben and Chen have pages open.
            _ = try await Fixtures(db).populatedTenant("acme", members: 3)
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let ben = try await LiveSocketMediaTests.socket(web, username: "acme-member2", port: port, session: nil)
            let chen = try await LiveSocketMediaTests.socket(web, username: "acme-member3", port: port, session: nil)
            for socket in [ben, chen] { _ = try await socket.next(type: "presence") }

            // act: Ana asks Ben to connect.
            _ = try await web.post(TestApp.url("acme", "/people/acme-member2/connect"), [], formURL: TestApp.url("acme", "/people/acme-member2"))

            // check: Ben's page hears of it at once, with the count; Chen's hears nothing of it.
            let notice = try await ben.next(type: "notification")
            #expect(notice["data"]?["text"]?.string?.contains("would like to connect") == true)
            #expect(notice["data"]?["link"]?.string?.hasPrefix("/") == true)
            #expect(try await ben.next(type: "unread")["data"]?["notifications"] == .number(1))
            try await Task.sleep(for: .milliseconds(300))
            #expect(!chen.texts.contains { $0.contains("notification") || $0.contains("unread") })
            await ben.close()
            await chen.close()
        }
    }

    @Test func unconnectedMembersCannotWriteButOrganizersCanBothWays() async throws {
        try await TestApp.run { db, web in
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let stranger = try await web.post(TestApp.url("acme", "/messages/acme-member2"), [("body", "hi")], formURL: TestApp.url("acme", "/messages"))
            let strangerPage = try await web.get(TestApp.url("acme", "/messages/acme-member2"))
            let toOrganizer = try await web.post(TestApp.url("acme", "/messages/acme-organizer"), [("body", "hello organizer")], formURL: TestApp.url("acme", "/messages"))
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            let fromOrganizer = try await organizer.post(TestApp.url("acme", "/messages/acme-member2"), [("body", "hello member")], formURL: TestApp.url("acme", "/messages"))
            #expect(stranger.status == .forbidden && strangerPage.status == .forbidden && strangerPage.contains("Ask Acme-Member2 Tester to connect first"))
            #expect(toOrganizer.status == .seeOther && fromOrganizer.status == .seeOther)
            #expect(try await Fixtures(db).countAcrossTenants("messages") == 2)
        }
    }

    @Test func messagesStayInsideTheTenant() async throws {
        try await TestApp.run { db, web in
            // setup: someone belongs to both tenants and is connected in acme only
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            try await fixtures.membership(globex.tenant, acme.members[0])
            try await connect(db, acme.tenant, acme.members[0], acme.members[1])
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            _ = try await web.post(TestApp.url("acme", "/messages/acme-member2"), [("body", "acme only")])
            // act: the same person on globex's site
            try await TestApp.signIn(&web, "acme-member1", tenant: "globex")
            let inbox = try await web.get(TestApp.url("globex", "/messages"))
            let across = try await web.post(TestApp.url("globex", "/messages/acme-member2"), [("body", "across")], formURL: TestApp.url("globex", "/messages"))
            // check
            #expect(inbox.status == .ok && !inbox.contains("acme only"))
            #expect(across.status == .notFound)
            let globexMessages = try await fixtures.inTenant(globex.tenant) { c in
                try await c.query("SELECT count(*)::int FROM messages", logger: TestEnvironment.logger).first(Int.self)
            }
            #expect(globexMessages == 0)
        }
    }

    @Test func manyMessagesMakeOneEmailPerQuietPeriodEvenWhileTheReaderIsWatching() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await connect(db, acme.tenant, acme.members[0], acme.members[1])
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let benAddress = "acme-member2@example.test"
            // act 1: five messages in a row
            for i in 1...5 { _ = try await web.post(TestApp.url("acme", "/messages/acme-member2"), [("body", "message \(i)")], formURL: TestApp.url("acme", "/messages")) }
            let afterBurst = try await mails(db, to: benAddress)
            // act 2: the quiet period passes
            try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("UPDATE conversation_members SET last_emailed_at = now() - interval '16 minutes'", logger: TestEnvironment.logger)
            }
            _ = try await web.post(TestApp.url("acme", "/messages/acme-member2"), [("body", "later")], formURL: TestApp.url("acme", "/messages"))
            let afterQuiet = try await mails(db, to: benAddress)
            // act 3: ben has the conversation open (reads) while more messages arrive
            var ben = WebClient(web.client)
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")
            _ = try await ben.get(TestApp.url("acme", "/messages/acme-member1"))
            for i in 1...3 {
                _ = try await web.post(TestApp.url("acme", "/messages/acme-member2"), [("body", "live \(i)")], formURL: TestApp.url("acme", "/messages"))
                _ = try await ben.get(TestApp.url("acme", "/messages/acme-member1"))
            }
            let whileWatching = try await mails(db, to: benAddress)
            // check
            #expect(afterBurst == 1 && afterQuiet == 2 && whileWatching == 2)
            let subject = try await db.owner.query("SELECT subject FROM outbox WHERE to_address = \(benAddress) LIMIT 1").first(String.self)
            #expect(subject == "New message from Acme-Member1 Tester")
        }
    }

    @Test func organizersWriteToEveryoneOrToAChosenFew() async throws {
        try await TestApp.run { db, web in
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            let waiting = try await Fixtures(db).user("waiting")
            try await Fixtures(db).membership(acme.tenant, waiting, status: .awaitingPayment)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let form = TestApp.url("acme", "/organize/messages")
            let all = try await web.post(form, [("body", "Welcome all"), ("audience", "everyone")])
            let few = try await web.post(form, [("body", "Just you two"), ("audience", "chosen"), ("to", "acme-member1"), ("to", "acme-member3")])
            let none = try await web.post(form, [("body", "Nobody"), ("audience", "chosen")])
            let counts = try await Fixtures(db).inTenant(acme.tenant) { c in
                try await c.query("SELECT body, count(*)::int FROM messages GROUP BY body ORDER BY body", logger: TestEnvironment.logger).all((String, Int).self)
            }
            #expect(all.status == .seeOther && few.status == .seeOther && none.status == .unprocessableContent)
            #expect(counts.map(\.0) == ["Just you two", "Welcome all"] && counts.map(\.1) == [2, 3])
            // refused: the form again, its text kept, the choice kept, the error beside the choice
            #expect(none.contains(">Nobody</textarea>") && none.contains(#"value="chosen" checked"#))
            #expect(none.contains("Tick at least one member, or choose every active member."))
        }
    }

    @Test func aBroadcastWithEveryProblemShowsThemAllAndKeepsWhatWasTicked() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme", members: 2)
            try await TestApp.signIn(&web, "acme-organizer", tenant: "acme")
            let form = TestApp.url("acme", "/organize/messages")
            // act: too long, and one member ticked
            let page = try await web.post(form, [("body", String(repeating: "y", count: 5001)), ("audience", "chosen"), ("to", "acme-member2")])
            let empty = try await web.post(form, [("body", ""), ("audience", "chosen")])
            // check
            #expect(page.status == .unprocessableContent && page.contains("A message can be up to 5,000 characters; this one has 5,001."))
            #expect(page.contains(#"value="acme-member2" checked"#) && !page.contains(#"value="acme-member1" checked"#))
            #expect(empty.contains("Write something before sending.") && empty.contains("Tick at least one member"), "both at once")
            #expect(try await Fixtures(db).countAcrossTenants("messages") == 0)
        }
    }

    @Test func writingToSomeoneOfAnotherTenantIsNotFoundWhateverTheText() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.populatedTenant("globex")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            // act: a member and an organizer (who may write to anyone here) write to globex's member
            var answers: [(String, Page)] = []
            for body in ["hello", "   ", String(repeating: "x", count: 5001)] {
                answers.append(("member: \(body.prefix(5))", try await web.post(TestApp.url("acme", "/messages/globex-member1"), [("body", body)],
                                                                                formURL: TestApp.url("acme", "/messages"))))
                answers.append(("organizer: \(body.prefix(5))", try await organizer.post(TestApp.url("acme", "/messages/globex-member1"), [("body", body)],
                                                                                         formURL: TestApp.url("acme", "/messages"))))
            }
            // check: not found (an empty text is no "Write something" redirect), and nothing written
            #expect(notNotFound(answers).isEmpty, "\(notNotFound(answers))")
            #expect(try await fixtures.countAcrossTenants("conversations") == 0)
            #expect(try await fixtures.countAcrossTenants("messages") == 0)
            #expect(try await fixtures.count("outbox") == 0)
        }
    }

    @Test func emptyAndOverlongMessagesComeBackToTheirFormWithTheTextKept() async throws {
        try await TestApp.run { db, web in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            try await connect(db, acme.tenant, acme.members[0], acme.members[1])
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            let text = "Dear <Ben>, " + String(repeating: "x", count: 5001)
            // act
            let empty = try await web.post(TestApp.url("acme", "/messages/acme-member2"), [("body", "   ")])
            let long = try await web.post(TestApp.url("acme", "/messages/acme-member2"), [("body", text)],
                                          formURL: TestApp.url("acme", "/messages/acme-member2"))
            // check: the conversation again, the error beside the field, the text as typed
            #expect(empty.status == .unprocessableContent && empty.contains("Write something before sending."))
            #expect(long.status == .unprocessableContent)
            #expect(long.contains("A message can be up to 5,000 characters; this one has 5,013."))
            #expect(long.contains(#"aria-invalid="true" aria-describedby="body-error""#))
            #expect(long.contains(">Dear &lt;Ben&gt;, xxx") && long.contains(#"id="thread""#))
            #expect(try await Fixtures(db).countAcrossTenants("messages") == 0)
        }
    }
}

import Foundation
import Hummingbird
import Store
import Testing
import TestSupport

/// A page view runs one transaction, the visitor's look-up included, and few statements
/// (issue 13). Counted by `QueryCounter` around each request.
@Suite struct PageQueryTests {
    struct Count: CustomStringConvertible {
        var path: String
        var status: HTTPResponse.Status
        var transactions: Int
        var statements: Int
        var description: String { "\(path): \(status.code), \(transactions) transaction(s), \(statements) statements" }
    }

    func count(_ web: inout WebClient, _ path: String) async throws -> Count {
        let counter = QueryCounter()
        let page = try await counter.counting { try await web.get(TestApp.url("acme", path)) }
        return Count(path: path, status: page.status, transactions: counter.transactions, statements: counter.statements)
    }

    @Test func eachMainPageIsOneTransactionOfFewStatements() async throws {
        try await TestApp.run { db, web in
            // setup: the organizer wrote to a member, another asked to connect, a session ahead
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            _ = try await fixtures.speedNetworkingSession(acme.tenant, createdBy: acme.organizer, start: Date().addingTimeInterval(86_400),
                                                          end: Date().addingTimeInterval(90_000))
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            var other = WebClient(web.client)
            try await TestApp.signIn(&other, "acme-member2", tenant: "acme")
            _ = try await other.post(TestApp.url("acme", "/people/acme-member1/connect"), [], formURL: TestApp.url("acme", "/people/acme-member1"))
            var organizer = WebClient(web.client)
            try await TestApp.signIn(&organizer, "acme-organizer", tenant: "acme")
            let sent = try await organizer.post(TestApp.url("acme", "/messages/acme-member1"), [("body", "Hello there")])
            #expect(sent.status == .seeOther)
            let meeting = try await MeetingTests.meeting(db, acme.tenant, host: acme.organizer, "Board call", invited: [acme.members[0]])
            let meetingPath = "/meetings/\(meeting.id.uuidString.lowercased())"

            // act
            var counts: [Count] = []
            for path in ["/", "/people", "/people?q=member2", "/people/acme-member2", "/messages", "/messages/acme-organizer",
                         "/connections", "/notifications", "/sessions", "/membership", "/meetings", meetingPath] {
                counts.append(try await count(&web, path))
            }
            for path in ["/organize", "/organize/members", "/organize/sessions", "/organize/reports", "/meetings", "/meetings/new", meetingPath] {
                counts.append(try await count(&organizer, path))
            }

            // check
            for count in counts {
                #expect(count.status == .ok, "\(count)")
                #expect(count.transactions == 1, "\(count)")
                // BEGIN, settings, the visitor, settings with the user, the page's own queries
                // (a profile: the member, sections, answers, picture, connection), COMMIT
                #expect(count.statements <= 10, "\(count)")
            }
        }
    }
}

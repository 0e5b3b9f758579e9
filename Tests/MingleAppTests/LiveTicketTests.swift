import Foundation
@testable import MingleApp
import RealTime
import Store
import Testing
import TestSupport

/// A room page's pass for its socket (`LiveTicket`): it saves the session look-up, and grants
/// nothing its cookie does not — forged, expired, another cookie, tenant or activity, and it is
/// ignored.
@Suite struct LiveTicketTests {
    static let signer = Signer(secret: Array(repeating: 7, count: 32))

    func ticket(expires: Date = Date() + 30, activity: String = "meeting:x", token: String = "token") -> LiveTicket {
        LiveTicket(tenant: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, user: UUID(), username: "ana", name: "Ana",
                   organizer: false, hidden: false, activity: activity, session: Tokens.hex(Tokens.hash(token)),
                   expires: Int64(expires.timeIntervalSince1970))
    }

    @Test func aPassReadsBackOnlyWhenSignedByUsAndNotExpired() {
        // setup
        let good = ticket()
        let text = good.encoded(Self.signer)
        let (payload, signature) = (String(text.split(separator: ".")[0]), String(text.split(separator: ".")[1]))
        var other = good
        other.organizer = true
        let forged = Tokens.base64url(try! JSONEncoder().encode(other)) + "." + signature

        // act / check
        #expect(LiveTicket.read(text, signer: Self.signer) == good)
        #expect(LiveTicket.read(forged, signer: Self.signer) == nil)
        #expect(LiveTicket.read(payload, signer: Self.signer) == nil)
        #expect(LiveTicket.read(text, signer: Signer(secret: Array(repeating: 8, count: 32))) == nil)
        #expect(LiveTicket.read(ticket(expires: Date() - 1).encoded(Self.signer), signer: Self.signer) == nil)
        #expect(LiveTicket.read(text, signer: Self.signer, now: Date() + 31) == nil)
    }

    @Test func aPassFitsOnlyItsCookieTenantAndActivity() {
        let pass = ticket(activity: "meeting:x", token: "token")
        #expect(pass.fits(tenant: pass.tenant, token: "token", activity: "meeting:x"))
        #expect(!pass.fits(tenant: pass.tenant, token: "another", activity: "meeting:x"))
        #expect(!pass.fits(tenant: UUID(), token: "token", activity: "meeting:x"))
        #expect(!pass.fits(tenant: pass.tenant, token: "token", activity: "meeting:y"))
        #expect(!pass.fits(tenant: pass.tenant, token: "token", activity: nil))
    }

    /// The pass in a room page's `<meta name="mingle-live" data-ticket>`.
    func pass(in page: Page) throws -> String {
        let range = try #require(page.body.range(of: #"data-ticket="([^"]+)""#, options: .regularExpression))
        return String(page.body[range].dropFirst(#"data-ticket=""#.count).dropLast())
    }

    @Test func theRoomPagesPassOpensItsSocketOnlyWithItsOwnCookie() async throws {
        try await TestApp.runLive { db, web, port in
            // setup: a meeting without a waiting room; member1 opens its page and takes its pass.
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let meeting = try await fixtures.meeting(acme.tenant, createdBy: acme.organizer, waitingRoom: false)
            let host = try await MeetingSocketTests.page(web, "acme-organizer", port: port, meeting: meeting.id)
            _ = try await MeetingSocketTests.standing(host, "admitted")
            var ana = WebClient(web.client), ben = WebClient(web.client)
            try await TestApp.signIn(&ana, "acme-member1", tenant: "acme")
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")
            let room = try await ana.get(TestApp.url("acme", "/m/\(meeting.token)"))
            let pass = try pass(in: room).replacingOccurrences(of: "&#x3D;", with: "=")
            let hostName = "acme.\(TestApp.rootHost)", origin = "http://acme.\(TestApp.rootHost)"
            let path = "/live/ws?activity=\(MeetingSocketTests.address(meeting.id))&ticket=\(pass)"

            // act: the pass with her cookie; with Ben's cookie; with no cookie; for another activity.
            let hers = try await TestSocket.connect(port: port, host: hostName, path: path, cookie: ana.cookieHeader(host: hostName), origin: origin)
            let bens = try await TestSocket.connect(port: port, host: hostName, path: path, cookie: ben.cookieHeader(host: hostName), origin: origin)
            let nobody = try await TestSocket.handshake(port: port, host: hostName, path: path, cookie: nil, origin: origin)
            let elsewhere = try await TestSocket.handshake(
                port: port, host: hostName, path: "/live/ws?activity=meeting:\(UUID().uuidString.lowercased())&ticket=\(pass)", cookie: nil, origin: origin)

            // check: her socket is her, in the room; with Ben's cookie the socket is Ben's (the
            // pass was ignored); without a cookie, nothing (401), for another activity too.
            #expect(try await MeetingSocketTests.standing(hers, "admitted")["data"]?["you"]?.string == acme.members[0].uuidString)
            #expect(try await MeetingSocketTests.standing(bens, "admitted")["data"]?["you"]?.string == acme.members[1].uuidString)
            #expect(nobody.status == 401)
            #expect(elsewhere.status == 401)
            await hers.close()
            await bens.close()
            await host.close()
        }
    }
}

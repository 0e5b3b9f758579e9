import Foundation
import Hummingbird
import PostgresNIO
import Store
import Testing
import TestSupport
@testable import MingleApp

/// The guest name form of a meeting's link, `POST /m/<link token>/guest` (issue 15): a name
/// makes one guest row and a cookie; a bad name, a meeting without guests and too many guests
/// from one address make none.
@Suite struct MeetingGuestFormTests {
    static let tooManyGuests = "Too many guests from this network in the last hour. Try again later."

    /// acme and a meeting of its organizer, taking guests or not.
    static func meeting(_ db: TestDatabase, guests: Bool) async throws -> (tenant: TenantID, id: UUID, token: String) {
        let fixtures = Fixtures(db)
        let acme = try await fixtures.populatedTenant("acme")
        let meeting = try await fixtures.meeting(acme.tenant, createdBy: acme.organizer, guests: guests)
        return (acme.tenant, meeting.id, meeting.token)
    }

    static func pageURL(_ token: String) -> String { TestApp.url("acme", "/m/\(token)") }
    static func formURL(_ token: String) -> String { TestApp.url("acme", "/m/\(token)/guest") }

    /// Posts the guest form with `name`; the form's token from `csrf`, or else from the meeting's page.
    static func join(_ web: inout WebClient, _ token: String, _ name: String, csrf: String? = nil) async throws -> Page {
        try await web.post(formURL(token), [("name", name)], csrf: csrf, formURL: pageURL(token))
    }

    static func guestCookie(_ web: WebClient) -> String? { web.cookie("mingle_guest", host: "acme.\(TestApp.rootHost)") }

    /// The meeting's guest rows: name and token hash.
    static func guests(_ db: TestDatabase, _ tenant: TenantID, meeting: UUID) async throws -> [(name: String, tokenHash: Data)] {
        try await Fixtures(db).inTenant(tenant) { connection in
            try await connection.query("SELECT display_name, token_hash FROM meeting_guests WHERE meeting_id = \(meeting) ORDER BY created_at",
                                       logger: TestEnvironment.logger).all((String, Data).self)
        }.map { (name: $0.0, tokenHash: $0.1) }
    }

    @Test func aNameMakesOneGuestOfTheMeetingSetsTheGuestCookieAndOpensTheRoom() async throws {
        try await TestApp.run { db, web in
            // setup
            let meeting = try await Self.meeting(db, guests: true)
            let form = try await web.get(Self.pageURL(meeting.token))
            // act
            let joined = try await Self.join(&web, meeting.token, "  Gus Guest ")
            let room = try await web.get(Self.pageURL(meeting.token))
            // check
            #expect(form.contains(#"action="/m/\#(meeting.token)/guest""#))
            #expect(joined.status == .seeOther && joined.location == "/m/\(meeting.token)")
            let cookie = try #require(Self.guestCookie(web))
            let guests = try await Self.guests(db, meeting.tenant, meeting: meeting.id)
            #expect(guests.map(\.name) == ["Gus Guest"])
            #expect(guests.map { Array($0.tokenHash) } == [Tokens.hash(cookie)])
            #expect(room.status == .ok && room.contains(#"data-guest="true""#) && !room.contains("/guest\""))
        }
    }

    @Test func anEmptyNameAndOneOverSixtyCharactersAreRefusedBesideTheFieldAndNoGuestIsWritten() async throws {
        try await TestApp.run { db, web in
            // setup
            let meeting = try await Self.meeting(db, guests: true)
            // 31 letters with a combining accent: 31 on the screen, 62 as the database counts them.
            let (tooLong, accented) = (String(repeating: "a", count: 61), String(repeating: "e\u{301}", count: 31))
            // act
            let empty = try await Self.join(&web, meeting.token, "")
            let blank = try await Self.join(&web, meeting.token, "   ")
            let long = try await Self.join(&web, meeting.token, tooLong)
            let longInTheDatabase = try await Self.join(&web, meeting.token, accented)
            // check
            for page in [empty, blank] {
                #expect(page.status == .unprocessableContent)
                #expect(FormProblemsTests.marked(page, "name", "Enter the name others will see."))
            }
            for page in [long, longInTheDatabase] {
                #expect(page.status == .unprocessableContent)
                #expect(FormProblemsTests.marked(page, "name", "Use at most 60 characters."))
            }
            #expect(long.contains(#"value="\#(tooLong)""#))
            #expect(Self.guestCookie(web) == nil)
            #expect(try await Self.guests(db, meeting.tenant, meeting: meeting.id).isEmpty)
            // and sixty are fine.
            let sixty = try await Self.join(&web, meeting.token, String(repeating: "a", count: 60))
            #expect(sixty.status == .seeOther)
            #expect(try await Self.guests(db, meeting.tenant, meeting: meeting.id).count == 1)
        }
    }

    @Test func aMeetingThatTakesNoGuestsRefusesTheFormWith403AndWritesNoGuest() async throws {
        try await TestApp.run { db, web in
            // setup: the form's token from another page of the site (this meeting's page has no form).
            let meeting = try await Self.meeting(db, guests: false)
            let page = try await web.get(Self.pageURL(meeting.token))
            // act
            let refused = try await web.post(Self.formURL(meeting.token), [("name", "Gus Guest")], formURL: TestApp.url("acme", "/sign-in"))
            // check
            #expect(!page.contains("/guest\"") && page.contains("This meeting is for members of this site"))
            #expect(refused.status == .forbidden && refused.contains("This meeting does not take guests"))
            #expect(Self.guestCookie(web) == nil)
            #expect(try await Self.guests(db, meeting.tenant, meeting: meeting.id).isEmpty)
        }
    }

    @Test func theTwentyFirstGuestFromOneAddressInAnHourIsRefusedAndNotWrittenAnotherAddressIsNot() async throws {
        try await TestApp.run { db, web in
            // setup: twenty guests from one address.
            let meeting = try await Self.meeting(db, guests: true)
            let csrf = try #require(try await web.get(Self.pageURL(meeting.token)).csrf)
            for number in 1...MeetingRoomController.guestsPerHour {
                let joined = try await Self.join(&web, meeting.token, "Guest \(number)", csrf: csrf)
                #expect(joined.status == .seeOther, "guest \(number)")
            }
            var elsewhere = WebClient(web.client)
            elsewhere.address = "198.51.100.7"
            // act
            let refused = try await Self.join(&web, meeting.token, "Guest 21", csrf: csrf)
            let countAfterRefusal = try await Self.guests(db, meeting.tenant, meeting: meeting.id).count
            let other = try await Self.join(&elsewhere, meeting.token, "Guest from elsewhere")
            // check
            #expect(refused.status == .unprocessableContent)
            #expect(FormProblemsTests.marked(refused, "name", Self.tooManyGuests))
            #expect(countAfterRefusal == MeetingRoomController.guestsPerHour)
            #expect(other.status == .seeOther)
            let names = try await Self.guests(db, meeting.tenant, meeting: meeting.id).map(\.name)
            #expect(names.count == MeetingRoomController.guestsPerHour + 1 && !names.contains("Guest 21") && names.contains("Guest from elsewhere"))
        }
    }
}

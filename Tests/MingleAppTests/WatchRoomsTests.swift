import Foundation
import HTTPTypes
@testable import MingleApp
import PostgresNIO
import RealTime
import Store
import Testing
import TestSupport

/// Watch rooms over HTTP and the socket (issue 17): making a room (the PIN shown once, stored
/// hashed), joining with ID and PIN, wrong PINs limited per (room, address) and per address but
/// never per room alone, guests, another tenant never finding the room, and the room's socket
/// only for those who gave the PIN.
@Suite(.serialized) struct WatchRoomsTests {
    static let watch = TestApp.url("acme", "/watch")

    /// Makes a room as `username` with `pin`; its id and the flash's words.
    static func make(_ web: inout WebClient, title: String = "Film night", pin: String = "424242", guests: Bool = false) async throws -> (Page, UUID?) {
        var fields = [("title", title), ("pin", pin)]
        if guests { fields.append(("guests", "on")) }
        let made = try await web.post(watch, fields, formURL: watch)
        let id = made.location.flatMap { $0.split(separator: "/").last }.flatMap { UUID(uuidString: String($0)) }
        return (made, id)
    }

    /// The room's code and PIN hash, read as the database's owner in the room's tenant.
    static func stored(_ db: TestDatabase, _ room: UUID) async throws -> (code: String, pinHash: String) {
        for tenant in try await db.owner.query("SELECT id FROM tenants").all(UUID.self) {
            let row = try await Fixtures(db).inTenant(tenant) { c in
                try await c.query("SELECT code, pin_hash FROM watch_rooms WHERE id = \(room)", logger: TestEnvironment.logger).first((String, String).self)
            }
            if let row { return row }
        }
        return ("", "")
    }

    static func join(_ web: inout WebClient, code: String, pin: String) async throws -> Page {
        try await web.post(TestApp.url("acme", "/watch/join"), [("code", code), ("join_pin", pin)], formURL: watch)
    }

    @Test func makingARoomShowsItsIDAndPINOnceAndKeepsOnlyTheHash() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            try await TestApp.signIn(&web, "acme-member1", tenant: "acme")
            // act
            let (made, id) = try await Self.make(&web, pin: "")
            let room = try #require(id)
            let page = try await web.get(TestApp.url("acme", "/w/\(room.uuidString.lowercased())"))
            let untitled = try await web.post(Self.watch, [("title", "  "), ("pin", "12ab")], formURL: Self.watch)
            // check: redirected to the room, whose page says ID and PIN once; only a bcrypt hash stored.
            #expect(made.status == .seeOther)
            let code = try await Self.stored(db, room).code
            let spaced = "\(code.prefix(3)) \(code.dropFirst(3).prefix(3)) \(code.suffix(3))"
            #expect(page.status == .ok && page.contains("Room ID \(spaced), PIN ") && page.contains(#"data-activity="watch:"#))
            let hash = try await Self.stored(db, room).pinHash
            #expect(hash.hasPrefix("$2") && !hash.contains(code))
            #expect(untitled.status == .unprocessableContent && untitled.contains("Give the room a title.") && untitled.contains("A PIN is 6 to 12 digits."))
            #expect(try await Fixtures(db).countAcrossTenants("watch_rooms") == 1)
        }
    }

    @Test func wrongPINsAreLimitedPerRoomAndAddressAndPerAddressNeverPerRoomAlone() async throws {
        try await TestApp.run { db, web in
            // setup: Ana's room; Ben tries from one address, Cy from another.
            _ = try await Fixtures(db).populatedTenant("acme", members: 3)
            var ana = WebClient(web.client)
            try await TestApp.signIn(&ana, "acme-member1", tenant: "acme")
            let room = try #require(try await Self.make(&ana, pin: "424242").1)
            let code = try await Self.stored(db, room).code
            var ben = WebClient(web.client)
            ben.address = "192.0.2.50"
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")
            var cy = WebClient(web.client)
            cy.address = "192.0.2.77"
            try await TestApp.signIn(&cy, "acme-member3", tenant: "acme")

            // act
            var wrong: [Page] = []
            for _ in 0..<WatchRoomsController.pinTriesPerRoom { wrong.append(try await Self.join(&ben, code: code, pin: "000000")) }
            let rightButLimited = try await Self.join(&ben, code: code, pin: "424242")
            let otherAddress = try await Self.join(&cy, code: code, pin: "424 242")

            // check
            #expect(wrong.allSatisfy { $0.status == .unprocessableContent && $0.contains(WatchRoomsController.noMatch) },
                    "\(wrong.first.map { "\($0.status) \($0.body.components(separatedBy: "field-error").dropFirst().first?.prefix(200) ?? "")" } ?? "")")
            #expect(rightButLimited.status == .tooManyRequests && rightButLimited.contains("Too many wrong PINs"))
            #expect(otherAddress.status == .seeOther && otherAddress.location == "/w/\(room.uuidString.lowercased())")
            let visits = try await Fixtures(db).countAcrossTenants("watch_visits")
            #expect(visits == 1, "Cy only")
        }
    }

    @Test func anotherTenantsMemberCannotFindTheRoomAndAStrangerMeetsItsDoor() async throws {
        try await TestApp.run { db, web in
            // setup
            let fixtures = Fixtures(db)
            _ = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            var ana = WebClient(web.client)
            try await TestApp.signIn(&ana, "acme-member1", tenant: "acme")
            let room = try #require(try await Self.make(&ana).1)
            let code = try await Self.stored(db, room).code
            var dana = WebClient(web.client)
            try await TestApp.signIn(&dana, "globex-member1", tenant: "globex")
            var ben = WebClient(web.client)
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")
            // act
            let fromGlobex = try await dana.post(TestApp.url("globex", "/watch/join"), [("code", code), ("join_pin", "424242")],
                                                 formURL: TestApp.url("globex", "/watch"))
            let linkOnGlobex = try await dana.get(TestApp.url("globex", "/w/\(room.uuidString.lowercased())"))
            let door = try await ben.get(TestApp.url("acme", "/w/\(room.uuidString.lowercased())"))
            var stranger = WebClient(web.client)
            let guestDoor = try await stranger.get(TestApp.url("acme", "/w/\(room.uuidString.lowercased())"))
            // check
            #expect(fromGlobex.status == .unprocessableContent && fromGlobex.contains(WatchRoomsController.noMatch))
            #expect(linkOnGlobex.status == .notFound)
            #expect(door.status == .ok && door.contains("Enter the room's PIN") && !door.contains("data-activity"))
            #expect(guestDoor.contains("This room is for members of this site") && !guestDoor.contains(#"name="pin""#))
            _ = globex
        }
    }

    @Test func guestsJoinWithANameAndThePINOnlyWhenTheHostAllowsIt() async throws {
        try await TestApp.run { db, web in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme")
            var ana = WebClient(web.client)
            try await TestApp.signIn(&ana, "acme-member1", tenant: "acme")
            let open = try #require(try await Self.make(&ana, title: "Open", guests: true).1)
            let closed = try #require(try await Self.make(&ana, title: "Members only").1)
            var guest = WebClient(web.client)
            let openPath = "/w/\(open.uuidString.lowercased())"
            // act
            let refused = try await guest.post(TestApp.url("acme", "/w/\(closed.uuidString.lowercased())/guest"), [("name", "Gita"), ("pin", "424242")],
                                               formURL: TestApp.url("acme", openPath))
            let wrongPIN = try await guest.post(TestApp.url("acme", openPath + "/guest"), [("name", "Gita"), ("pin", "111111")], formURL: TestApp.url("acme", openPath))
            let noName = try await guest.post(TestApp.url("acme", openPath + "/guest"), [("name", " "), ("pin", "424242")], formURL: TestApp.url("acme", openPath))
            let joined = try await guest.post(TestApp.url("acme", openPath + "/guest"), [("name", "Gita"), ("pin", "424242")], formURL: TestApp.url("acme", openPath))
            let room = try await guest.get(TestApp.url("acme", openPath))
            // check
            #expect(refused.status == .forbidden)
            #expect(wrongPIN.status == .unprocessableContent && wrongPIN.contains(WatchRoomsController.noMatch) && wrongPIN.contains(#"value="Gita""#))
            #expect(noName.status == .unprocessableContent && noName.contains("Enter the name others will see."))
            #expect(joined.status == .seeOther)
            #expect(room.status == .ok && room.contains(#"data-guest="true""#) && room.contains("Open"))
            #expect(room.headers[.contentSecurityPolicy]?.contains("frame-src https://www.youtube.com") == true)
            #expect(room.headers[.contentSecurityPolicy]?.contains("media-src 'self' https: http:") == true)
            #expect(room.headers[HTTPField.Name("X-Mingle-Allow")!] == nil)
            #expect(refused.headers[.contentSecurityPolicy]?.contains("frame-src") == false, "other pages keep the strict policy")
            #expect(try await Fixtures(db).countAcrossTenants("watch_guests") == 1)
        }
    }

    @Test func theRoomsSocketTakesOnlyThoseWhoGaveThePIN() async throws {
        try await TestApp.runLive { db, web, port in
            // setup
            _ = try await Fixtures(db).populatedTenant("acme", members: 3)
            var ana = WebClient(web.client)
            try await TestApp.signIn(&ana, "acme-member1", tenant: "acme")
            let room = try #require(try await Self.make(&ana).1)
            let code = try await Self.stored(db, room).code
            var ben = WebClient(web.client)
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")
            _ = try await Self.join(&ben, code: code, pin: "424242")
            let host = "acme.\(TestApp.rootHost)"
            func socket(_ username: String) async throws -> TestSocket {
                var client = WebClient(web.client)
                try await TestApp.signIn(&client, username, tenant: "acme")
                return try await TestSocket.connect(port: port, host: host, path: "/live/ws?activity=watch:\(room.uuidString.lowercased())",
                                                    cookie: client.cookieHeader(host: host), origin: "http://\(host)")
            }
            // act
            let anaPage = try await socket("acme-member1")
            let benPage = try await socket("acme-member2")
            let cyPage = try await socket("acme-member3")
            // check: the host and Ben are in (each hears the room and the playback); Cy is refused.
            let anaRoom = try await anaPage.next(type: "room")
            #expect(anaRoom["data"]?["isHost"]?.bool == true)
            _ = try await benPage.next(type: "playback")
            let refusal = try await cyPage.next("refusal") { $0["type"]?.string == "error" }
            #expect(refusal["data"]?["code"]?.string == "pin-first")
            let people = try await anaPage.next("two people") { $0["type"]?.string == "room" && $0["data"]?["people"]?.array?.count == 2 }
            #expect(people["data"]?["people"]?.array?.count == 2)
            for page in [anaPage, benPage, cyPage] { await page.close() }
        }
    }

    // MARK: Uploads

    /// A short H.264/AAC MP4 made with ffmpeg (kept for the run).
    static func smallVideo() throws -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mingle-watch-2s.mp4").path
        if !FileManager.default.fileExists(atPath: path) {
            let ffmpeg = Process()
            ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            ffmpeg.arguments = ["-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=25",
                                "-f", "lavfi", "-i", "sine=duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path]
            try ffmpeg.run()
            ffmpeg.waitUntilExit()
        }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func upload(_ web: inout WebClient, _ room: UUID, name: String, bytes: [UInt8]) async throws -> Page {
        let path = "/w/\(room.uuidString.lowercased())"
        let csrf = try await web.get(TestApp.url("acme", path)).csrf ?? ""
        return try await web.send(.post, TestApp.url("acme", path + "/upload?name=\(name)"), body: bytes, contentType: "video/mp4",
                                  headers: [HTTPField.Name("X-CSRF-Token")!: csrf])
    }

    /// Files under the test's media folder (none left behind by a refused upload).
    static func storedFiles(_ db: TestDatabase) -> [String] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mingle-media-\(db.settings.database)").path
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isFolder) && !isFolder.boolValue
        }
    }

    @Test func anUploadedVideoIsMadeReadyAddedToTheListAndServedToTheRoomsPeopleOnly() async throws {
        try await TestApp.runLive(adjust: { $0.maxUploadBytes = 1024 * 1024 }) { db, web, port in
            // setup: Ana's room; Ben joined it; Cy did not.
            _ = try await Fixtures(db).populatedTenant("acme", members: 3)
            var ana = WebClient(web.client)
            try await TestApp.signIn(&ana, "acme-member1", tenant: "acme")
            let room = try #require(try await Self.make(&ana).1)
            let code = try await Self.stored(db, room).code
            var ben = WebClient(web.client)
            try await TestApp.signIn(&ben, "acme-member2", tenant: "acme")
            _ = try await Self.join(&ben, code: code, pin: "424242")
            var cy = WebClient(web.client)
            try await TestApp.signIn(&cy, "acme-member3", tenant: "acme")
            let video = try Self.smallVideo()

            // act: a text file named .mp4, a truncated video, one over the limit, then the real one.
            let text = try await Self.upload(&ana, room, name: "notes.mp4", bytes: Array("These are not moving pictures.\n".utf8))
            let truncated = try await Self.upload(&ana, room, name: "cut.mp4", bytes: Array(video.prefix(video.count / 2)))
            let huge = try await Self.upload(&ana, room, name: "huge.mp4", bytes: [UInt8](repeating: 7, count: 1024 * 1024 + 1))
            let refusedLeft = Self.storedFiles(db)
            let byBen = try await Self.upload(&ben, room, name: "ben.mp4", bytes: video)
            let accepted = try await Self.upload(&ana, room, name: "opening_keynote.mp4", bytes: video)
            let file = try #require(accepted.body.firstMatch(of: /"file":"([0-9A-F-]{36})"/).map { String($0.1) })
            let status = TestApp.url("acme", "/w/\(room.uuidString.lowercased())/uploads/\(file)")
            var ready = try await ana.get(status)
            for _ in 0..<200 where !ready.contains(#""status":"ready""#) && !ready.contains(#""status":"failed""#) {
                try await Task.sleep(for: .milliseconds(100))
                ready = try await ana.get(status)
            }
            let served = TestApp.url("acme", "/w/\(room.uuidString.lowercased())/files/\(file.lowercased())")
            let ranged = try await ben.get(served, headers: [.range: "bytes=0-99"])
            let whole = try await ben.get(served)
            let again = try await ben.get(served, headers: [.ifNoneMatch: whole.headers[.eTag] ?? ""])
            let stranger = try await cy.get(served)
            var nobody = WebClient(web.client)
            let anonymous = try await nobody.get(served)

            // check
            #expect(text.status == .unprocessableContent && text.contains("problem"), "\(text.body)")
            #expect(truncated.status == .unprocessableContent, "\(truncated.body)")
            #expect(huge.status == .contentTooLarge && huge.contains("larger than"), "\(huge.body)")
            #expect(refusedLeft.isEmpty, "nothing kept of refused uploads: \(refusedLeft)")
            #expect(byBen.status == .forbidden, "the host controls the videos")
            #expect(accepted.status == .accepted)
            #expect(ready.contains(#""status":"ready""#) && ready.contains(#""progress":1"#), "\(ready.body)")
            #expect(ranged.status == .partialContent && ranged.bytes.count == 100 && ranged.headers[.contentRange]?.hasPrefix("bytes 0-99/") == true)
            #expect(whole.status == .ok && whole.headers[.eTag]?.hasPrefix("\"") == true && whole.headers[.contentType] == "video/mp4")
            #expect(again.status == .notModified)
            #expect(stranger.status == .notFound && anonymous.status == .notFound)
            let listed = try await db.app.withTenant(try await db.owner.query("SELECT id FROM tenants WHERE slug = 'acme'").first(UUID.self) ?? UUID()) { tx in
                try await tx.query("SELECT title, duration FROM watch_items").all((String, Double?).self)
            }
            #expect(listed.count == 1 && listed.first?.0 == "opening keynote" && (listed.first?.1 ?? 0) > 1.5, "\(listed)")
        }
    }
}

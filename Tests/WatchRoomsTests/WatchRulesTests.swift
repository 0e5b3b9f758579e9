import Foundation
import RealTime
import Testing
@testable import WatchRooms

@Suite("Watch room rules: playback owned by the server, control, the queue, stalls, time")
struct WatchRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    let hostID = UUID(), ana = UUID(), ben = UUID(), eve = UUID()
    let talk = WatchItem(id: UUID(), title: "The talk", source: .file(UUID()), duration: 60)
    let film = WatchItem(id: UUID(), title: "The film", source: .link(URL(string: "https://example.com/film.mp4")!), duration: 100)
    let clip = WatchItem(id: UUID(), title: "A clip", source: .youtube("dQw4w9WgXcQ"))

    /// A room with the host, Ana and Ben in it and the talk chosen, paused at 0.
    func room(waitForEveryone: Bool = false) throws -> WatchRoom {
        var room = WatchRoom(id: UUID(), host: hostID, queue: [], playback: Playback(at: t0), waitForEveryone: waitForEveryone, loadedAt: t0)
        try room.arrive(WatchPerson(id: hostID, name: "Hana", isGuest: false, page: 1), at: t0)
        try room.arrive(WatchPerson(id: ana, name: "Ana", isGuest: false, page: 2), at: t0)
        try room.arrive(WatchPerson(id: ben, name: "Ben", isGuest: true, page: 3), at: t0)
        try room.enqueue(talk, by: hostID, at: t0)
        return room
    }

    func refusal(_ body: () throws -> Void) -> String? {
        do { try body() } catch let refusal as ActivityRefusal { return refusal.code } catch { return "other" }
        return nil
    }

    // MARK: Playback

    @Test("The position moves with the server's clock while playing, at the rate; paused it stays; never below 0 or past the end")
    func positionFromTheServerClock() {
        let playing = Playback(item: UUID(), paused: false, position: 10, at: t0, rate: 1.5)
        #expect(playing.position(at: at(4)) == 16)
        #expect(playing.position(at: at(-20)) == 0)
        #expect(playing.position(at: at(100), duration: 60) == 60)
        let paused = Playback(item: UUID(), paused: true, position: 10, at: t0, rate: 1.5)
        #expect(paused.position(at: at(1000)) == 10)
    }

    @Test("Play, pause, seek and speed keep the position continuous and say who did it")
    func playPauseSeekRate() throws {
        // setup
        var room = try room()
        // act / check
        try room.play(by: hostID, at: at(1))
        #expect(!room.playback.paused && room.position(at: at(11)) == 10)
        #expect(room.lastChange == WatchChange(by: "Hana", what: "played", at: at(1)))
        try room.setRate(2, by: hostID, at: at(11))
        #expect(room.position(at: at(11)) == 10 && room.position(at: at(13)) == 14, "the rate changes from where it is")
        #expect(room.lastChange?.what == "set the speed to 2×")
        try room.pause(by: hostID, at: at(13))
        #expect(room.playback.paused && room.position(at: at(50)) == 14)
        try room.seek(to: 42.7, by: hostID, at: at(20))
        #expect(room.position(at: at(30)) == 42.7 && room.playback.paused, "a seek keeps paused")
        #expect(room.lastChange?.what == "jumped to 0:42")
        try room.seek(to: 500, by: hostID, at: at(21))
        #expect(room.position(at: at(21)) == 60, "not past the end")
        try room.setRate(0.5, by: hostID, at: at(22))
        #expect(room.lastChange?.what == "set the speed to 0.5×")
    }

    @Test("Bad positions and speeds are refused and change nothing")
    func badValues() throws {
        // setup
        var room = try room()
        let before = room
        // act / check
        let refused1 = refusal { try room.seek(to: -1, by: hostID, at: at(1)) }
        #expect(refused1 == "bad-position")
        let refused2 = refusal { try room.seek(to: .nan, by: hostID, at: at(1)) }
        #expect(refused2 == "bad-position")
        let refused3 = refusal { try room.seek(to: .infinity, by: hostID, at: at(1)) }
        #expect(refused3 == "bad-position")
        let refused4 = refusal { try room.setRate(3, by: hostID, at: at(1)) }
        #expect(refused4 == "bad-rate")
        let refused5 = refusal { try room.setRate(0.1, by: hostID, at: at(1)) }
        #expect(refused5 == "bad-rate")
        let refused6 = refusal { try room.setRate(.nan, by: hostID, at: at(1)) }
        #expect(refused6 == "bad-rate")
        #expect(room == before)
    }

    @Test("Play at the end starts the video again; nothing to play is refused")
    func playAtTheEnd() throws {
        // setup
        var room = try room()
        var empty = WatchRoom(id: UUID(), host: hostID, queue: [], playback: Playback(at: t0), loadedAt: t0)
        try empty.arrive(WatchPerson(id: hostID, name: "Hana", isGuest: false, page: 1), at: t0)
        // act
        try room.seek(to: 60, by: hostID, at: at(1))
        try room.play(by: hostID, at: at(2))
        // check
        #expect(room.position(at: at(3)) == 1)
        let refused7 = refusal { try empty.play(by: hostID, at: at(1)) }
        #expect(refused7 == "nothing-to-play")
        let refused8 = refusal { try empty.seek(to: 3, by: hostID, at: at(1)) }
        #expect(refused8 == "nothing-to-play")
    }

    // MARK: Control

    @Test("Only the host controls at first; passed control adds one person; everyone means everyone in the room; taking it back")
    func control() throws {
        // setup
        var room = try room()
        // act / check
        #expect(room.mayControl(hostID) && !room.mayControl(ana) && !room.mayControl(ben))
        let refused9 = refusal { try room.play(by: ana, at: at(1)) }
        #expect(refused9 == "not-in-control")
        let refused10 = refusal { try room.setControl(.everyone, by: ana, at: at(1)) }
        #expect(refused10 == "host-only")
        try room.setControl(.passed(ana), by: hostID, at: at(2))
        #expect(room.mayControl(ana) && !room.mayControl(ben) && room.mayControl(hostID))
        #expect(room.lastChange?.what == "passed control to Ana")
        try room.play(by: ana, at: at(3))
        #expect(room.lastChange == WatchChange(by: "Ana", what: "played", at: at(3)))
        try room.setControl(.everyone, by: hostID, at: at(4))
        #expect(room.mayControl(ben) && !room.mayControl(eve), "everyone in the room; not a stranger")
        try room.pause(by: ben, at: at(5))
        #expect(room.lastChange?.by == "Ben")
        try room.setControl(.host, by: hostID, at: at(6))
        #expect(!room.mayControl(ana) && !room.mayControl(ben))
        let refused11 = refusal { try room.setControl(.passed(eve), by: hostID, at: at(7)) }
        #expect(refused11 == "not-in-room")
        let refused12 = refusal { try room.setControl(.passed(hostID), by: hostID, at: at(7)) }
        #expect(refused12 == "not-in-room")
    }

    @Test("Removing someone closes their place for good and takes back control they had; only the host removes, never themself")
    func removing() throws {
        // setup
        var room = try room()
        try room.setControl(.passed(ana), by: hostID, at: at(1))
        // act
        let byAna = refusal { try room.remove(ben, by: ana, at: at(2)) }
        let host = refusal { try room.remove(hostID, by: hostID, at: at(2)) }
        try room.remove(ana, by: hostID, at: at(3))
        let back = refusal { try room.arrive(WatchPerson(id: ana, name: "Ana", isGuest: false, page: 9), at: at(4)) }
        let again = refusal { try room.remove(ana, by: hostID, at: at(5)) }
        // check
        #expect(byAna == "host-only" && host == "host-only")
        #expect(room.people[ana] == nil && room.removed == [ana] && room.control == .host)
        #expect(back == "removed" && again == "not-in-room")
    }

    // MARK: The queue

    @Test("The first video added is chosen, paused at 0; next, choosing, taking off the list; the one playing stays")
    func queue() throws {
        // setup
        var room = try room()
        // act / check
        #expect(room.current == talk && room.playback.paused && room.position(at: at(5)) == 0)
        try room.enqueue(film, by: hostID, at: at(1))
        try room.enqueue(clip, by: hostID, at: at(1))
        try room.enqueue(film, by: hostID, at: at(1))
        #expect(room.queue.map(\.id) == [talk.id, film.id, clip.id], "the same video is not added twice")
        #expect(room.lastChange?.what == "added “The film”")
        try room.play(by: hostID, at: at(2))
        try room.next(by: hostID, at: at(10))
        #expect(room.current == film && room.position(at: at(12)) == 2 && !room.playback.paused, "next plays from its start, still playing")
        try room.select(clip.id, by: hostID, at: at(20))
        #expect(room.current == clip && room.nextItem == nil)
        let refused13 = refusal { try room.next(by: hostID, at: at(21)) }
        #expect(refused13 == "no-next")
        let refused14 = refusal { try room.dequeue(clip.id, by: hostID, at: at(21)) }
        #expect(refused14 == "playing-now")
        try room.dequeue(talk.id, by: hostID, at: at(22))
        #expect(room.queue.map(\.id) == [film.id, clip.id])
        let refused15 = refusal { try room.select(UUID(), by: hostID, at: at(23)) }
        #expect(refused15 == "no-such-video")
        let refused16 = refusal { try room.enqueue(talk, by: ana, at: at(23)) }
        #expect(refused16 == "not-in-control")
    }

    @Test("The list holds fifty videos at most")
    func queueLimit() throws {
        // setup
        var room = try room()
        for n in 1..<WatchRoom.maxQueue { try room.enqueue(WatchItem(id: UUID(), title: "V\(n)", source: .youtube("abcdefghijk")), by: hostID, at: at(1)) }
        // act / check
        #expect(room.queue.count == WatchRoom.maxQueue)
        let refused17 = refusal { try room.enqueue(film, by: hostID, at: at(2)) }
        #expect(refused17 == "queue-full")
    }

    // MARK: Stalls

    @Test("Without 'wait for everyone' a stalled page holds nobody")
    func stallsIgnored() throws {
        // setup
        var room = try room()
        try room.play(by: hostID, at: at(0))
        // act
        room.setStalled(ben, true, at: at(5))
        // check
        #expect(!room.playback.paused && !room.held && room.position(at: at(10)) == 10)
        #expect(room.stalledPeople == [ben])
    }

    @Test("With 'wait for everyone' a stall holds everyone where it is; when the last one recovers (or leaves) it goes on from there")
    func stallsHold() throws {
        // setup
        var room = try room(waitForEveryone: true)
        try room.play(by: hostID, at: at(0))
        // act / check
        room.setStalled(ben, true, at: at(5))
        room.setStalled(ana, true, at: at(6))
        #expect(room.held && room.playback.paused && room.position(at: at(9)) == 5)
        room.setStalled(ben, false, at: at(8))
        #expect(room.held, "Ana still waits for data")
        room.depart(ana, page: 2, at: at(9))
        #expect(!room.held && !room.playback.paused && room.position(at: at(11)) == 7, "resumed at 5 when Ana left at 9")
    }

    @Test("A pause during a hold stays a pause; turning 'wait for everyone' off releases a hold; on, it holds at once")
    func stallsAndChoices() throws {
        // setup
        var room = try room(waitForEveryone: true)
        try room.play(by: hostID, at: at(0))
        room.setStalled(ben, true, at: at(3))
        // act / check
        try room.pause(by: hostID, at: at(4))
        room.setStalled(ben, false, at: at(5))
        #expect(room.playback.paused && !room.held && room.position(at: at(9)) == 3)
        try room.play(by: hostID, at: at(10))
        room.setStalled(ben, true, at: at(11))
        #expect(room.held)
        try room.setWaitForEveryone(false, by: hostID, at: at(12))
        #expect(!room.held && !room.playback.paused && room.position(at: at(14)) == 6)
        try room.setWaitForEveryone(true, by: hostID, at: at(15))
        #expect(room.held && room.position(at: at(20)) == 7)
        let refused18 = refusal { try room.setWaitForEveryone(false, by: ana, at: at(16)) }
        #expect(refused18 == "host-only")
    }

    // MARK: Time

    @Test("At the end of a video the next one plays from when it ended; at the end of the list it stays paused at the end")
    func endOfVideo() throws {
        // setup
        var room = try room()
        try room.enqueue(film, by: hostID, at: at(0))
        try room.play(by: hostID, at: at(0))
        // act / check
        #expect(room.nextDeadline() == at(60) && room.endOfVideo == at(60))
        let expired19 = room.expire(at: at(59.9))
        #expect(!expired19)
        let expired20 = room.expire(at: at(61))
        #expect(expired20)
        #expect(room.current == film && !room.playback.paused && room.position(at: at(61)) == 1)
        #expect(room.nextDeadline() == at(160))
        let expired21 = room.expire(at: at(170))
        #expect(expired21)
        #expect(room.current == film && room.playback.paused && room.position(at: at(200)) == 100)
        #expect(room.nextDeadline() == nil, "someone is in the room and nothing plays")
    }

    @Test("A video of unknown length plays on; at 2× its end comes twice as soon")
    func unknownLengthAndRate() throws {
        // setup
        var room = try room()
        try room.enqueue(clip, by: hostID, at: at(0))
        try room.select(clip.id, by: hostID, at: at(0))
        try room.play(by: hostID, at: at(0))
        var fast = try self.room()
        try fast.setRate(2, by: hostID, at: at(0))
        try fast.play(by: hostID, at: at(0))
        // act / check
        let expired = room.expire(at: at(10_000))
        #expect(room.endOfVideo == nil && !expired)
        #expect(fast.endOfVideo == at(30))
    }

    @Test("A room empty for 30 minutes closes; anyone there keeps it open; a closed room takes nobody and refuses everything")
    func emptyRoomCloses() throws {
        // setup
        var room = try room()
        // act / check
        #expect(room.emptySince == nil && room.nextDeadline() == nil)
        room.depart(hostID, page: 1, at: at(10))
        room.depart(ana, page: 2, at: at(11))
        #expect(room.emptySince == nil)
        room.depart(ben, page: 3, at: at(12))
        #expect(room.emptySince == at(12) && room.nextDeadline() == at(12 + 1800))
        let expired22 = room.expire(at: at(12 + 1799))
        #expect(!expired22)
        let expired23 = room.expire(at: at(12 + 1800))
        #expect(expired23)
        #expect(room.isClosed && room.nextDeadline() == nil)
        let refused24 = refusal { try room.arrive(WatchPerson(id: ana, name: "Ana", isGuest: false, page: 7), at: at(2000)) }
        #expect(refused24 == "closed")
        let refused25 = refusal { try room.play(by: hostID, at: at(2000)) }
        #expect(refused25 == "closed")
    }

    @Test("The host closes the room; nobody else can")
    func hostCloses() throws {
        // setup
        var room = try room()
        // act / check
        let refused26 = refusal { try room.close(by: ana, at: at(1)) }
        #expect(refused26 == "host-only")
        try room.close(by: hostID, at: at(2))
        #expect(room.closedAt == at(2))
        let refused27 = refusal { try room.close(by: hostID, at: at(3)) }
        #expect(refused27 == "closed")
    }

    @Test("One page per person: a newer one takes over; the old one leaving takes nobody away")
    func onePagePerPerson() throws {
        // setup
        var room = try room()
        // act
        let replaced = try room.arrive(WatchPerson(id: ana, name: "Ana", isGuest: false, page: 8), at: at(1))
        let leftWithOld = room.depart(ana, page: 2, at: at(2))
        // check
        #expect(replaced == 2 && !leftWithOld && room.people[ana]?.page == 8)
    }

    @Test("Clock words: seconds as the player shows them")
    func clockWords() {
        #expect([0, 9.9, 60, 247, 3909].map(WatchRoom.clock) == ["0:00", "0:09", "1:00", "4:07", "1:05:09"])
    }

    @Test("A link's length learnt by a page makes its end come by itself; a known length stays; nonsense is refused")
    func learningALength() throws {
        // setup
        var room = try room()
        try room.enqueue(clip, by: hostID, at: at(0))
        try room.select(clip.id, by: hostID, at: at(0))
        try room.play(by: hostID, at: at(0))
        // act
        try room.learnDuration(40, of: clip.id)
        try room.learnDuration(99, of: clip.id)
        let bad = [refusal { try room.learnDuration(.nan, of: clip.id) }, refusal { try room.learnDuration(-1, of: clip.id) },
                   refusal { try room.learnDuration(10, of: UUID()) }]
        try room.learnDuration(5, of: talk.id)
        // check
        #expect(room.current?.duration == 40 && room.endOfVideo == at(40))
        #expect(room.queue.first?.duration == 60, "the talk's length was known")
        #expect(bad == ["bad-position", "bad-position", "no-such-video"])
    }
}

import Foundation
import RealTime
import SpeedNetworking
import Matching
import Testing

@Suite("Session engine: the timeline of DESIGN §4 with a hand-moved clock")
struct SessionEngineTimelineTests {
    @Test("A whole session: refused before the lobby, lobby, rounds with surveys, the end, teardown refusal")
    func wholeSession() async throws {
        // setup: four members and the organizer; S = t0 + 10 s, E = S + 60 s, rounds 20 s + 5 s grace.
        let fixture = SessionFixture(members: 4, sessionSeconds: 60)
        let engine = try await fixture.engine()

        // act + check: before S − L nobody may enter.
        fixture.clock.set(SessionFixture.t0 - 1)
        await #expect(throws: ActivityRefusal.self) { _ = try await engine.enter(fixture.members[0]) }

        // Lobby: everyone enters and sees everyone; nobody may meet yet.
        fixture.clock.set(SessionFixture.t0)
        let organizerInbox = Inbox(try await engine.enter(fixture.organizer))
        var inboxes: [UUID: Inbox] = [:]
        for member in fixture.members { inboxes[member.id] = Inbox(try await engine.enter(member)) }
        await #expect(throws: ActivityRefusal.self) { try await engine.meet(fixture.members[0].id) }
        await organizerInbox.settle()
        #expect(await engine.presence().people.count == 5)
        #expect(inboxes[fixture.members[0].id]!.lastState?.status == .lobby)
        #expect(inboxes[fixture.members[0].id]!.lastState?.session.canMeet == false)

        // S: everyone presses "Meet someone"; a round is matched after the match delay.
        try await fixture.at(0, engine)
        for member in fixture.members { try await engine.meet(member.id) }
        #expect(await engine.view(of: fixture.members[0].id).status == .waiting)
        try await fixture.at(1, engine)
        let round1 = await engine.allPairings
        #expect(round1.count == 2)
        for member in fixture.members { #expect(await engine.view(of: member.id).status == .pair) }

        // R: the notice; R + G: the survey.
        try await fixture.at(21, engine)
        let pairView = await engine.view(of: fixture.members[0].id)
        #expect(pairView.pair?.ending == true)
        #expect(pairView.pair?.endsAt == fixture.times.start + 26)
        try await fixture.at(26, engine)
        for member in fixture.members {
            let view = await engine.view(of: member.id)
            #expect(view.status == .survey)
            #expect(view.survey?.questions.map(\.key) == SessionFixture.questions.map(\.key))
        }
        #expect(fixture.store.pairings.allSatisfy { $0.endReason == .time && $0.endedAt == fixture.times.start + 26 })

        // Surveys put members back in the pool; the next round never repeats a pair.
        for member in fixture.members {
            let pairing = await engine.view(of: member.id).survey!.pairing
            try await engine.submitSurvey(member.id, pairing: pairing, answers: SessionFixture.goodAnswers)
            #expect(await engine.view(of: member.id).status == .waiting)
        }
        try await fixture.at(28, engine)
        let pairings = await engine.allPairings
        #expect(pairings.count == 4)
        #expect(Set(pairings.map { Pair($0.memberA, $0.memberB) }).count == 4)
        #expect(fixture.store.responses.count == 4)

        // The second round ends at S + 53, after the last start for a new pair (E − 15 s).
        try await fixture.at(53, engine)
        for member in fixture.members { #expect(await engine.view(of: member.id).status == .survey) }
        for member in fixture.members {
            let pairing = await engine.view(of: member.id).survey!.pairing
            try await engine.submitSurvey(member.id, pairing: pairing, answers: SessionFixture.goodAnswers)
            // too close to E for another pair: back to the lobby, not the pool
            #expect(await engine.view(of: member.id).status == .lobby)
        }

        // E: everyone is in the lobby; meeting is refused.
        try await fixture.at(60, engine)
        for member in fixture.members { #expect(await engine.view(of: member.id).status == .lobby) }
        await #expect(throws: ActivityRefusal.self) { try await engine.meet(fixture.members[0].id) }

        // E + T: closed; connections end; entering is refused; the data stays.
        try await fixture.at(70, engine)
        #expect(await engine.isClosed)
        await organizerInbox.settle()
        #expect(organizerInbox.isFinished)
        #expect(inboxes[fixture.members[0].id]!.lastState?.status == .closed)
        await #expect(throws: ActivityRefusal.closed) { _ = try await engine.enter(fixture.members[0]) }
        await #expect(throws: ActivityRefusal.closed) {
            _ = try await SessionFixture.reload(fixture).enter(fixture.members[0])
        }
        #expect(fixture.store.pairings.count == 4)
        #expect(fixture.store.responses.count == 8)
        #expect(fixture.store.attendees.count == 5)
    }

    @Test("The session end cuts running pairs: they end at E with reason session_end and their surveys")
    func sessionEndCutsPairs() async throws {
        // setup: a session of 45 s with rounds of 20 + 5 s; the second pair starts at S + 27.
        let fixture = SessionFixture(members: 2, sessionSeconds: 45)
        let engine = try await fixture.engine()
        fixture.clock.set(SessionFixture.t0)
        let inbox = Inbox(try await engine.enter(fixture.members[0]))
        _ = try await engine.enter(fixture.members[1])
        let third = Participant(id: UUID(), name: "Third", isOrganizer: false)
        _ = try await engine.enter(third)

        // act: pair A+B, then after the survey A+Third at S + 27 (a pair may start until E − 15 s).
        try await fixture.at(0, engine)
        try await engine.meet(fixture.members[0].id)
        try await engine.meet(fixture.members[1].id)
        try await fixture.at(1, engine)
        try await fixture.at(26, engine)
        let first = await engine.view(of: fixture.members[0].id).survey!.pairing
        try await engine.submitSurvey(fixture.members[0].id, pairing: first, answers: SessionFixture.goodAnswers)
        try await engine.meet(third.id)
        try await fixture.at(27, engine)
        let cut = await engine.view(of: third.id).pair!
        #expect(cut.endsAt == fixture.times.end)
        #expect(cut.noticeAt == fixture.times.end - 5)
        try await fixture.at(45, engine)

        // check
        let record = fixture.store.pairings.first { $0.id == cut.id }!
        #expect(record.endReason == .sessionEnd)
        #expect(record.endedAt == fixture.times.end)
        #expect(await engine.view(of: third.id).status == .survey)
        #expect(fixture.store.pool.isEmpty)
        await inbox.settle()
        #expect(inbox.lastState?.session.phase == "ended")
    }
}

extension SessionFixture {
    /// A new engine over the same store, as after a server restart.
    static func reload(_ fixture: SessionFixture, seed: UInt64 = 2) async throws -> SpeedNetworkingEngine {
        try await fixture.engine(seed: seed)
    }
}

@Suite("Session engine: what a change costs")
struct EngineChangeCostTests {
    @Test("Joins do not wait for one another's database writes")
    func joinsDoNotQueueBehindOneAnothersWrites() async throws {
        // setup: the lobby is open; the first member's attendance write hangs.
        let fixture = SessionFixture(members: 3)
        let engine = try await fixture.engine()
        fixture.clock.set(SessionFixture.t0)
        let (slow, others) = (fixture.members[0], Array(fixture.members.dropFirst()))
        fixture.store.hold(attendanceOf: slow.id)
        let slowJoin = Task { try await engine.enter(slow) }
        try await Task.sleep(for: .milliseconds(50))

        // act + check: the others get in meanwhile (within two seconds), their attendance stored.
        let othersJoin = Task { for member in others { _ = try await engine.enter(member) } }
        for _ in 0..<200 where await engine.connectionCount < others.count { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await engine.connectionCount == others.count)
        #expect(fixture.store.attendees == Set(others.map(\.id)))

        // act + check: once its write is done, the first gets in too.
        fixture.store.release(attendanceOf: slow.id)
        _ = try await slowJoin.value
        try await othersJoin.value
        #expect(await engine.connectionCount == 3)
        #expect(fixture.store.attendees.contains(slow.id))
    }

    @Test("A crowd arriving within the people interval costs each page a few messages, not one per arrival")
    func arrivalsWithinTheIntervalGoOutTogether() async throws {
        // setup: changes of the people list go out at most once a second; one page in the lobby.
        let fixture = SessionFixture(members: 41)
        var timings = SessionFixture.timings
        timings.peopleInterval = .seconds(1)
        let engine = try await fixture.engine(timings: timings)
        fixture.clock.set(SessionFixture.t0)
        let first = Inbox(try await engine.enter(fixture.members[0]))
        await first.settle()
        let heard = first.messages.count

        // act: forty more people enter at once.
        let began = ContinuousClock.now
        var last: Inbox?
        for member in fixture.members.dropFirst() { last = Inbox(try await engine.enter(member)) }
        let entering = ContinuousClock.now - began
        let others = fixture.members.dropFirst().map { $0.id.uuidString }
        func texts(_ inbox: Inbox) -> [String] {
            inbox.messages.compactMap { if case .shared(let event) = $0, event.type == "people" { event.text } else { nil } }
        }
        for _ in 0..<300 where !others.allSatisfy({ id in texts(first).contains { $0.contains(id) } }) {
            try await Task.sleep(for: .milliseconds(10))
        }

        // check: the first page heard of all forty in one or two messages (a few more only if
        // entering took seconds), not forty; the last to enter knows everyone too.
        let changes = texts(first).filter { $0.contains(#""full":false"#) }
        #expect(others.allSatisfy { id in changes.contains { $0.contains(id) } })
        #expect(changes.count <= 2 + Int(entering.components.seconds), "\(changes.count) messages in \(entering)")
        #expect(first.messages.count - heard < 10)
        // The last page's own list may still be on its way on a busy machine: waited for, as above.
        let lastInbox = try #require(last)
        for _ in 0..<300 where !fixture.members.allSatisfy({ id in texts(lastInbox).joined().contains(id.id.uuidString) }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let lastKnows = texts(lastInbox).joined()
        #expect(fixture.members.allSatisfy { lastKnows.contains($0.id.uuidString) })
    }

    @Test("A page that fell so far behind that messages were dropped is sent its view and the whole list again")
    func aPageThatFellBehindGetsEverythingAgain() async throws {
        // setup: a page whose queue holds three messages and which does not read
        let fixture = SessionFixture(members: 21)
        let engine = try await fixture.engine()
        fixture.clock.set(SessionFixture.t0)
        let (_, behind) = try await engine.enter(fixture.members[0], buffering: 3)

        // act: twenty more people enter (twenty changes for it, most dropped), then it reads.
        for member in fixture.members.dropFirst() { _ = try await engine.enter(member) }
        var kept: [SpeedNetworkingEvent] = []
        for await message in behind {
            kept.append(message)
            if kept.count == 3 { break }
        }

        // check: what is left is its view and the whole list with everyone, not a stale change.
        #expect(kept.contains { if case .state = $0 { true } else { false } })
        let whole = kept.compactMap { if case .shared(let event) = $0, event.text.contains(#""full":true"#) { event.text } else { nil } }.last
        #expect(fixture.members.allSatisfy { whole?.contains($0.id.uuidString) ?? false })
    }

    @Test("A change in a room of N people is encoded once, and every page gets the same small message")
    func aChangeIsEncodedOnceAndItsSizeDoesNotGrowWithTheRoom() async throws {
        var bytesPerPage: [Int: Int] = [:]
        for size in [100, 300] {
            let counter = EncodingCounter()
            // (the engine's command loop starts inside this scope, so its encodings are counted)
            try await Envelope.$encodings.withValue(counter) {
                // setup: `size` people in the lobby, each page reading its messages.
                let fixture = SessionFixture(members: size + 1)
                let engine = try await fixture.engine()
                fixture.clock.set(SessionFixture.t0)
                var inboxes: [Inbox] = []
                for member in fixture.members.dropLast() { inboxes.append(Inbox(try await engine.enter(member))) }
                await inboxes.last!.settle()
                let heard = inboxes.map(\.messages.count)
                let encoded = counter.value

                // act: one more person enters.
                _ = try await engine.enter(fixture.members.last!)
                for _ in 0..<200 where zip(inboxes, heard).contains(where: { $0.messages.count == $1 }) {
                    try await Task.sleep(for: .milliseconds(10))
                }
                await inboxes.last!.settle()

                // check: one encoding for the whole room (and one of the whole list for the newcomer);
                // each page got one message, the same bytes.
                #expect(counter.value - encoded == 2)
                let news = zip(inboxes, heard).map { Array($0.messages.dropFirst($1)) }
                #expect(news.allSatisfy { $0.count == 1 })
                let texts = Set(news.compactMap { $0.first?.encodedEnvelope })
                #expect(texts.count == 1)
                bytesPerPage[size] = texts.first?.utf8.count
            }
        }
        // check: what each page is sent for a change does not grow with the room.
        #expect(bytesPerPage[100] != nil && bytesPerPage[100] == bytesPerPage[300])
    }
}

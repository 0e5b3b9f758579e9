import Foundation
import RealTime
import SpeedNetworking
import Matching
import Synchronization
import Testing

@Suite("Session engine: pairing rules, leaving and rejoining, restart, failures")
struct EngineRulesTests {
    /// Enters everyone at the lobby, moves to S and has `meeting` press "Meet someone".
    private func started(_ fixture: SessionFixture, meeting: [Participant], organizer: Bool = true,
                         running: Bool = false) async throws -> (SpeedNetworkingEngine, [UUID: Inbox]) {
        let engine = try await fixture.engine(serving: !running)
        if running { Task { await engine.run() } }
        fixture.clock.set(SessionFixture.t0)
        var inboxes: [UUID: Inbox] = [:]
        if organizer { inboxes[fixture.organizer.id] = Inbox(try await engine.enter(fixture.organizer)) }
        for member in fixture.members { inboxes[member.id] = Inbox(try await engine.enter(member)) }
        try await fixture.at(0, engine)
        for member in meeting { try await engine.meet(member.id) }
        return (engine, inboxes)
    }

    @Test("A member left over meets the organizer when the organizer is available")
    func leftOverMeetsAvailableOrganizer() async throws {
        // setup
        let fixture = SessionFixture(members: 3)
        let (engine, _) = try await started(fixture, meeting: fixture.members)
        try await engine.setAvailable(fixture.organizer.id, true)

        // act
        try await fixture.at(1, engine)

        // check: one member pair and one member with the organizer; nobody waits.
        let pairings = await engine.allPairings
        #expect(pairings.count == 2)
        #expect(pairings.filter(\.withOrganizer).count == 1)
        #expect(pairings.first(where: \.withOrganizer)?.memberB == fixture.organizer.id)
        #expect(await engine.waitingUsers.isEmpty)
        #expect(await engine.view(of: fixture.organizer.id).status == .pair)
        #expect(fixture.store.pairings.filter(\.withOrganizer).count == 1)
    }

    @Test("Past the last moment a pair may start, whoever still waits goes back to the lobby and is told why")
    func waitingEndsAtTheLastPairStart() async throws {
        // setup: three members meet and meet again until nobody has anyone new to meet
        let fixture = SessionFixture(members: 3, questions: [])
        let (engine, inboxes) = try await started(fixture, meeting: fixture.members)
        var second: TimeInterval = 1
        while second < 100 { try await fixture.at(second, engine); second += 1 }
        let waiting = await engine.waitingUsers
        #expect(!waiting.isEmpty, "someone is still waiting near the end")

        // act: just past the last pair start (E − half a round − the notice)
        let last = fixture.times.lastPairStart.timeIntervalSince(fixture.times.start)
        #expect(await engine.nextWake(after: fixture.times.start + 100).map { $0 <= fixture.times.lastPairStart + 1 } == true)
        try await fixture.at(last + 0.5, engine)

        // check: nobody waits; each was told; the store's pool is empty too
        #expect(await engine.waitingUsers.isEmpty)
        #expect(fixture.store.pool.isEmpty)
        for user in waiting {
            await inboxes[user]!.settle()
            #expect(inboxes[user]!.notices.contains { $0.contains("No new conversations start this close to the end") })
            #expect(await engine.view(of: user).status != .waiting)
        }
    }

    @Test("Without an available organizer the left-over member waits, is told why, and is paired first next time")
    func leftOverWaitsFirstInLine() async throws {
        // setup: three members meet; the organizer is not available.
        let fixture = SessionFixture(members: 3, questions: [])
        let (engine, inboxes) = try await started(fixture, meeting: fixture.members)

        // act: round 1 leaves one member out.
        try await fixture.at(1, engine)
        let leftOut = try #require(await engine.waitingUsers.first)
        let leftView = await engine.view(of: leftOut)

        // check: told they are first in line; the store has the priority.
        #expect(leftView.status == .waiting)
        #expect(leftView.waiting?.firstInLine == true)
        #expect(leftView.waiting?.reason.contains("first in line") == true)
        #expect(fixture.store.pool[leftOut]?.priority == true)
        await inboxes[leftOut]!.settle()
        #expect(inboxes[leftOut]!.lastState?.waiting?.firstInLine == true)

        // act: the pair ends (no survey questions: straight back to the pool), next round.
        try await fixture.at(26, engine)
        try await fixture.at(27, engine)

        // check: the left-out member is in a pair of round 2.
        let round2 = await engine.allPairings.filter { $0.round == 2 }
        #expect(round2.count == 1)
        #expect(round2[0].contains(leftOut))
    }

    @Test("Reloading within the grace keeps the pair; leaving for good returns the partner to the pool with priority")
    func partnerLeaves() async throws {
        // setup: two members paired.
        let fixture = SessionFixture(members: 3)
        let a = fixture.members[0], b = fixture.members[1], c = fixture.members[2]
        let (engine, inboxes) = try await started(fixture, meeting: [a, b])
        try await fixture.at(1, engine)
        #expect(await engine.view(of: a.id).pair?.partner.id == b.id)

        // act: A reloads the page (connection drops, a new one comes within the grace).
        await engine.leave(inboxes[a.id]!.connection)
        #expect(await engine.view(of: b.id).pair?.partnerConnected == false)
        try await fixture.at(2, engine)
        let again = Inbox(try await engine.enter(a))
        try await fixture.at(5, engine)

        // check: still the same pair, partner connected again.
        await again.settle()
        #expect(again.lastState?.status == .pair)
        #expect(again.lastState?.pair?.partner.id == b.id)
        #expect(await engine.view(of: b.id).pair?.partnerConnected == true)

        // act: A leaves for good; the grace (3 s) runs out.
        await engine.leave(again.connection)
        try await fixture.at(7, engine)
        #expect(await engine.view(of: b.id).status == .pair)
        try await fixture.at(8, engine)

        // check: B is told, waits first in line, and the pairing is recorded as left by A.
        await inboxes[b.id]!.settle()
        #expect(inboxes[b.id]!.notices.contains { $0.contains("left the conversation") })
        let bView = await engine.view(of: b.id)
        #expect(bView.status == .waiting)
        #expect(bView.waiting?.firstInLine == true)
        let record = try #require(fixture.store.pairings.first)
        #expect(record.endReason == .left)
        #expect(record.leftBy == a.id)
        #expect(record.endedAt == fixture.times.start + 8)

        // act: C comes to meet; B (priority) is paired with C, never again with A.
        try await engine.meet(c.id)
        try await fixture.at(9, engine)
        #expect(await engine.view(of: b.id).pair?.partner.id == c.id)
    }

    @Test("A restart mid-session resumes pairs, surveys and the pool with nothing lost")
    func restartResumes() async throws {
        // setup: five members; round 1 runs; two surveys are in, one member is back in the pool.
        let fixture = SessionFixture(members: 5)
        let (engine, _) = try await started(fixture, meeting: fixture.members)
        try await fixture.at(1, engine)
        try await fixture.at(26, engine)
        let surveyed = fixture.members.filter { _ in true }
        var answered: [UUID] = []
        for member in surveyed {
            guard let survey = await engine.view(of: member.id).survey else { continue }
            if answered.count < 2 {
                try await engine.submitSurvey(member.id, pairing: survey.pairing, answers: SessionFixture.goodAnswers)
                answered.append(member.id)
            }
        }
        let before = await statuses(engine, fixture)

        // act: the server stops; a new engine loads from the store a moment later.
        await engine.shutdown()
        fixture.clock.set(fixture.times.start + 26.5)
        let restarted = try await SessionFixture.reload(fixture)

        // check: everyone's status, partner and pending survey are as before.
        let after = await statuses(restarted, fixture)
        #expect(after == before)
        #expect(Set(await restarted.waitingUsers) == Set(await engine.waitingUsers))
        #expect(await restarted.allPairings == (await engine.allPairings))

        // act: people reconnect within the grace, the pending surveys are answered, matching continues.
        var inboxes: [UUID: Inbox] = [:]
        for member in fixture.members { inboxes[member.id] = Inbox(try await restarted.enter(member)) }
        for member in fixture.members {
            if let survey = await restarted.view(of: member.id).survey {
                try await restarted.submitSurvey(member.id, pairing: survey.pairing, answers: SessionFixture.goodAnswers)
            }
        }
        try await fixture.at(30, restarted)

        // check: every survey stored once, new pairs never repeat old ones.
        #expect(fixture.store.responses.count == 4)  // the member left out in round 1 had none
        let pairs = fixture.store.pairings.map { Pair($0.memberA, $0.memberB) }
        #expect(Set(pairs).count == pairs.count)
        #expect(fixture.store.pairings.contains { $0.round == 2 })
    }

    @Test("A refused survey and a failed write change nothing")
    func refusalsAndFailuresChangeNothing() async throws {
        // setup: two pairs end; their surveys are pending.
        let fixture = SessionFixture(members: 4)
        let (engine, inboxes) = try await started(fixture, meeting: fixture.members)
        try await fixture.at(1, engine)
        try await fixture.at(26, engine)
        let member = fixture.members[0]
        let pairing = try #require(await engine.view(of: member.id).survey?.pairing)

        // act + check: invalid answers are refused with the reasons.
        let refusal = await #expect(throws: ActivityRefusal.self) {
            try await engine.submitSurvey(member.id, pairing: pairing, answers: ["conversation-quality": "9"])
        }
        #expect(refusal?.message.contains("1 to 5") == true)
        #expect(refusal?.message.contains("needs an answer") == true)
        #expect(fixture.store.responses.isEmpty)

        // act + check: a survey about the other pair's conversation, or an unknown one, is refused.
        let otherPairing = try #require(fixture.store.pairings.first { !$0.contains(member.id) }?.id)
        await #expect(throws: ActivityRefusal.self) {
            try await engine.submitSurvey(member.id, pairing: otherPairing, answers: SessionFixture.goodAnswers)
        }
        await #expect(throws: ActivityRefusal.self) {
            try await engine.submitSurvey(member.id, pairing: UUID(), answers: SessionFixture.goodAnswers)
        }

        // act + check: the store fails; the survey stays pending, nothing is queued.
        fixture.store.failWrites = true
        await #expect(throws: MemorySpeedNetworkingStore.WriteFailed.self) {
            try await engine.submitSurvey(member.id, pairing: pairing, answers: SessionFixture.goodAnswers)
        }
        #expect(await engine.view(of: member.id).status == .survey)
        #expect(await engine.waitingUsers.isEmpty)

        // act + check: over the socket's path the same refusal comes back to the page that asked.
        let overSocket = await #expect(throws: ActivityRefusal.self) {
            try await engine.receive(.survey(pairing: pairing, answers: [:]), from: inboxes[member.id]!.connection)
        }
        #expect(overSocket?.code == "invalid-survey")

        fixture.store.failWrites = false
        try await engine.submitSurvey(member.id, pairing: pairing, answers: SessionFixture.goodAnswers)
        #expect(fixture.store.responses.count == 1)
        #expect(fixture.store.responses[0].answers.map(\.value) == ["4", "Yes", "Builds boats"])
    }

    @Test("A matching round whose write fails is retried, not forgotten")
    func failedMatchIsRetried() async throws {
        // setup: two members wait; the store fails when the round is due.
        let fixture = SessionFixture(members: 2)
        let (engine, _) = try await started(fixture, meeting: fixture.members, organizer: false)
        fixture.store.failWrites = true

        // act: the round fails; the engine still has it due now.
        fixture.clock.set(fixture.times.start + 1)
        await #expect(throws: MemorySpeedNetworkingStore.WriteFailed.self) { try await engine.tick() }
        let due = await engine.nextWake(after: fixture.clock.now)
        fixture.store.failWrites = false
        try await fixture.at(2, engine)

        // check
        #expect(due == fixture.clock.now - 1)
        #expect(await engine.view(of: fixture.members[0].id).pair?.partner.id == fixture.members[1].id)
        #expect(fixture.store.pairings.count == 1)
    }

    @Test("An available organizer who becomes free meets the member left over meanwhile")
    func organizerBecomingFreeMeetsTheLeftOver() async throws {
        // setup: A meets the available organizer; then B, C, D meet: B + C pair, D is left over.
        let fixture = SessionFixture(members: 4)
        let a = fixture.members[0]
        let (engine, _) = try await started(fixture, meeting: [a])
        try await engine.setAvailable(fixture.organizer.id, true)
        try await fixture.at(1, engine)
        #expect(await engine.view(of: a.id).pair?.withOrganizer == true)
        for member in fixture.members.dropFirst() { try await engine.meet(member.id) }
        try await fixture.at(2, engine)
        let waiting = await engine.waitingUsers
        #expect(waiting.count == 1)
        let leftOver = try #require(waiting.first)

        // act: the organizer's pair ends; the organizer sends the survey.
        try await fixture.at(26, engine)
        let pairing = try #require(await engine.view(of: fixture.organizer.id).survey?.pairing)
        try await engine.submitSurvey(fixture.organizer.id, pairing: pairing, answers: SessionFixture.goodAnswers)
        try await engine.tick()

        // check: the left-over member now talks with the organizer.
        let view = await engine.view(of: leftOver)
        #expect(view.pair?.partner.id == fixture.organizer.id)
        #expect(view.pair?.withOrganizer == true)
    }

    /// Where an engine asks the media layer to review rights.
    final class MediaReviews: MediaRoomControl {
        let calls = Mutex<[Set<UUID>?]>([])
        func endRoom(_ room: String, of activity: ActivityKey) async {}
        func endRooms(of activity: ActivityKey) async {}
        func reviewRights(of activity: ActivityKey, users: Set<UUID>?) async { calls.withLock { $0.append(users) } }
        func blockAudio(of user: UUID, in room: String, of activity: ActivityKey, _ blocked: Bool) async {}
        func kick(_ user: UUID, from room: String, of activity: ActivityKey) async {}
    }

    @Test("An organizer talking with a member is not broadcast to the lobby; the broadcast may resume after")
    func organizersBroadcastPausesWhileTheyArePaired() async throws {
        // setup: the organizer broadcasts in the lobby, is available, and one member meets.
        let fixture = SessionFixture(members: 3)
        let a = fixture.members[0]
        let (engine, _) = try await started(fixture, meeting: [a])
        let reviews = MediaReviews()
        await engine.attach(media: reviews)
        let organizer = fixture.organizer.id
        let room = SpeedNetworkingEngine.mediaRoomName
        #expect(await engine.mayPublish(organizer, in: room))
        await engine.setPublishing(organizer, in: room, true)
        #expect(await engine.view(of: a.id).media.lobbyPublishers.isEmpty)  // a camera is not a broadcast…
        try await engine.setBroadcast(organizer, true)                        // …until the organizer says so
        #expect(await engine.view(of: a.id).media.lobbyPublishers == [organizer])
        #expect(await engine.mayWatch(fixture.members[1].id, publisher: organizer, in: room))
        try await engine.setAvailable(organizer, true)

        // act: the member is left over and meets the organizer.
        try await fixture.at(1, engine)
        #expect(await engine.view(of: organizer).pair?.partner.id == a.id)

        // check: no broadcast while they talk, and nobody but the partner may watch; the
        // media layer was told to review everyone (the lobby's screens lose the organizer).
        let paired = await engine.view(of: organizer).media
        #expect(!paired.mayPublishInLobby)
        #expect(await engine.mayPublish(organizer, in: room))
        #expect(await engine.view(of: fixture.members[1].id).media.lobbyPublishers.isEmpty)
        #expect(await !engine.mayWatch(fixture.members[1].id, publisher: organizer, in: room))
        #expect(await engine.mayWatch(a.id, publisher: organizer, in: room))
        #expect(await engine.view(of: a.id).media.partnerPublishing)
        #expect(reviews.calls.withLock { $0 } == [nil])

        // act + check: once the pair is over the organizer may broadcast again (they had said so).
        try await fixture.at(26, engine)
        #expect(await engine.view(of: organizer).media.mayPublishInLobby)
        #expect(await engine.mayPublish(organizer, in: room))
        #expect(await engine.mayWatch(fixture.members[1].id, publisher: organizer, in: room))

        // act + check: the broadcast stopped, the camera still connected: nobody in the lobby sees it.
        try await engine.setBroadcast(organizer, false)
        #expect(await !engine.mayWatch(fixture.members[1].id, publisher: organizer, in: room))
        #expect(await engine.view(of: a.id).media.lobbyPublishers.isEmpty)
        #expect(reviews.calls.withLock { $0 } == [nil, [a.id, organizer], nil])  // paired, pair ended, broadcast stopped
        // members may not say they broadcast
        await #expect(throws: ActivityRefusal.self) { try await engine.setBroadcast(a.id, true) }
    }

    @Test("In the session's one room members see only their partner, and only while the pair runs")
    func membersWatchOnlyTheirPartnerWhileThePairRuns() async throws {
        // setup: four members; the lobby is open but the session has not started.
        let fixture = SessionFixture(members: 4)
        let engine = try await fixture.engine()
        let reviews = MediaReviews()
        await engine.attach(media: reviews)
        fixture.clock.set(SessionFixture.t0)
        for member in fixture.members { _ = try await engine.enter(member) }
        let room = SpeedNetworkingEngine.mediaRoomName
        let a = fixture.members[0].id

        // check: from the lobby on members may publish (their camera connection is ready before
        // the first match); no room but the session's exists.
        fixture.clock.set(SessionFixture.t0 - 1)
        #expect(await engine.mediaRoom(room) == nil)
        try await fixture.at(-5, engine)
        #expect(await engine.mayPublish(a, in: room))
        #expect(await engine.mediaRoom(room) != nil)
        #expect(await engine.mediaRoom("lobby") == nil)
        #expect(await !engine.mayPublish(a, in: "lobby"))

        // act: the session starts; everyone meets; two pairs form.
        try await fixture.at(0, engine)
        #expect(await engine.mayPublish(a, in: room))  // ready before the match: the camera connection is up early
        for member in fixture.members { try await engine.meet(member.id) }
        try await fixture.at(1, engine)
        let partner = try #require(await engine.view(of: a).pair?.partner.id)
        let stranger = try #require(fixture.members.map(\.id).first { $0 != a && $0 != partner })
        for member in fixture.members { await engine.setPublishing(member.id, in: room, true) }

        // check: each sees their partner and nobody else; nobody sees the lobby's (absent) broadcast.
        #expect(await engine.mayWatch(a, publisher: partner, in: room))
        #expect(await engine.mayWatch(partner, publisher: a, in: room))
        #expect(await !engine.mayWatch(a, publisher: stranger, in: room))
        #expect(await !engine.mayWatch(stranger, publisher: a, in: room))
        #expect(await !engine.mayWatch(a, publisher: partner, in: "lobby"))
        #expect(await engine.view(of: a).media.partnerPublishing)
        #expect(await engine.view(of: a).media.lobbyPublishers.isEmpty)
        #expect(reviews.calls.withLock { $0 }.isEmpty)

        // act: the round ends.
        try await fixture.at(26, engine)

        // check: they may no longer watch each other, and the media layer was told to review
        // exactly the people of each ended pair (not everyone).
        #expect(await !engine.mayWatch(a, publisher: partner, in: room))
        #expect(await engine.mayPublish(a, in: room))  // the connection may stay for the next round
        let reviewed = reviews.calls.withLock { $0 }
        #expect(reviewed.count == 2)
        #expect(Set(reviewed.compactMap { $0 }) == [[a, partner], Set(fixture.members.map(\.id)).subtracting([a, partner])])

        // act + check: once no pair can start any more, members' cameras have no reason to be
        // up; at the close nothing is allowed at all.
        try await fixture.at(119, engine)
        #expect(await !engine.mayPublish(a, in: room))
        try await fixture.at(131, engine)
        #expect(await engine.mediaRoom(room) == nil)
        #expect(await !engine.mayWatch(a, publisher: partner, in: room))
    }

    @Test("The pool collects while someone else may still join, and matches at once when nobody can")
    func poolMatchesAtOnceWhenWaitingCannotHelp() async throws {
        // setup: four members in the room; two of them press "Meet someone".
        let fixture = SessionFixture(members: 4)
        let (engine, _) = try await started(fixture, meeting: Array(fixture.members.prefix(2)), organizer: false)
        let (c, d) = (fixture.members[2].id, fixture.members[3].id)

        // check: the other two could still join, so the pool collects for the match delay.
        try await fixture.at(0.5, engine)
        #expect(await engine.view(of: fixture.members[0].id).status == .waiting)
        try await fixture.at(1, engine)
        #expect(await engine.view(of: fixture.members[0].id).status == .pair)

        // act: the last two free members press; nobody else could join the pool now.
        try await fixture.at(2, engine)
        try await engine.meet(c)
        try await engine.meet(d)
        try await fixture.at(2, engine)

        // check: matched without waiting.
        #expect(await engine.view(of: c).pair?.partner.id == d)
    }

    @Test("At the end the pool empties: a member still waiting is back in the lobby")
    func poolEmptiesAtTheEnd() async throws {
        // setup: one member waits alone.
        let fixture = SessionFixture(members: 1, sessionSeconds: 60)
        let (engine, _) = try await started(fixture, meeting: fixture.members, organizer: false)
        try await fixture.at(1, engine)
        #expect(await engine.view(of: fixture.members[0].id).status == .waiting)
        #expect(fixture.store.pool.count == 1)

        // act
        try await fixture.at(60, engine)

        // check
        #expect(fixture.store.pool.isEmpty)
        #expect(await engine.view(of: fixture.members[0].id).status == .lobby)
    }

    @Test("No one can press Meet too close to the end; a person may not open the room in many windows")
    func tooLateAndTooManyWindows() async throws {
        let fixture = SessionFixture(members: 1, sessionSeconds: 60)
        let (engine, _) = try await started(fixture, meeting: [])
        // two more windows are fine, a fourth is refused
        _ = try await engine.enter(fixture.members[0])
        _ = try await engine.enter(fixture.members[0])
        await #expect(throws: ActivityRefusal.self) { _ = try await engine.enter(fixture.members[0]) }
        // E − (R/2 + G) = S + 45: a pair started later would be too short
        try await fixture.at(46, engine)
        let refusal = await #expect(throws: ActivityRefusal.self) { try await engine.meet(fixture.members[0].id) }
        #expect(refusal?.code == "too-late")
    }

    @Test("A role is as of the latest connection: an organizer who comes back as a member has no organizer rights")
    func rolesFollowTheLatestConnection() async throws {
        let fixture = SessionFixture(members: 1)
        let (engine, inboxes) = try await started(fixture, meeting: [])
        try await engine.setAvailable(fixture.organizer.id, true)
        await engine.leave(inboxes[fixture.organizer.id]!.connection)
        var demoted = fixture.organizer
        demoted.isOrganizer = false
        _ = try await engine.enter(demoted)
        await #expect(throws: ActivityRefusal.self) { try await engine.setAvailable(fixture.organizer.id, false) }
        #expect(await engine.view(of: fixture.organizer.id).role == "member")
        #expect(await engine.presence().people.first { $0.id == fixture.organizer.id }?.role == "member")
    }

    @Test("The timer loop runs a session on its own: pairs, surveys and the close happen without calls to tick")
    func timerLoopRunsTheSession() async throws {
        // setup
        let fixture = SessionFixture(members: 2, sessionSeconds: 40)
        let (engine, _) = try await started(fixture, meeting: fixture.members, organizer: false, running: true)

        // act + check: each step happens once the clock passes it.
        fixture.clock.set(fixture.times.start + 1.5)
        try await eventually { await engine.view(of: fixture.members[0].id).status == .pair }
        fixture.clock.set(fixture.times.start + 27)
        try await eventually { await engine.view(of: fixture.members[0].id).status == .survey }
        fixture.clock.set(fixture.times.closes + 1)
        try await eventually { await engine.isClosed }
        let pairing = try #require(fixture.store.pairings.first)
        #expect(pairing.endedAt == fixture.times.pair(startedAt: pairing.startedAt).overAt)
        #expect(pairing.endReason == .time)
    }

    private func eventually(_ condition: () async -> Bool) async throws {
        for _ in 0..<400 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("the condition did not become true within 2 s")
    }

    @Test("Members cannot act as organizers; organizers cannot join the pool")
    func roles() async throws {
        let fixture = SessionFixture(members: 1)
        let (engine, _) = try await started(fixture, meeting: [])
        await #expect(throws: ActivityRefusal.self) { try await engine.setAvailable(fixture.members[0].id, true) }
        await #expect(throws: ActivityRefusal.self) { try await engine.meet(fixture.organizer.id) }
        try await engine.meet(fixture.members[0].id)
        await #expect(throws: ActivityRefusal.self) { try await engine.meet(fixture.members[0].id) }
    }

    private func statuses(_ engine: SpeedNetworkingEngine, _ fixture: SessionFixture) async -> [String] {
        var result: [String] = []
        for member in fixture.members {
            let view = await engine.view(of: member.id)
            result.append("\(member.name) \(view.status) \(view.pair?.partner.id.uuidString ?? "-") \(view.survey?.pairing.uuidString ?? "-") \(view.waiting?.firstInLine ?? false)")
        }
        return result
    }
}

@Suite("Session engine: random sessions")
struct EngineRandomSessionTests {
    @Test("Random joins, leaves, returns, meets and surveys: never a repeated pair, one state each, store mirrors engine", arguments: 0..<12)
    func randomSession(seed: UInt64) async throws {
        var rng = SeededGenerator(seed: seed)
        let fixture = SessionFixture(members: 9, sessionSeconds: 150)
        let engine = try await fixture.engine(seed: seed)
        fixture.clock.set(SessionFixture.t0)
        var connection: [UUID: ConnectionID] = [:]
        _ = try await engine.enter(fixture.organizer)
        if Bool.random(using: &rng) { try await engine.setAvailable(fixture.organizer.id, true) }
        var offset: TimeInterval = -10
        while offset < 165 {
            offset += Double(Int.random(in: 1...3, using: &rng))
            try await fixture.at(offset, engine)
            if await engine.isClosed { break }
            let member = fixture.members.randomElement(using: &rng)!
            switch Int.random(in: 0..<6, using: &rng) {
            case 0:
                if let id = connection[member.id] { await engine.leave(id); connection[member.id] = nil }
            case 1:
                if connection[member.id] == nil { connection[member.id] = try await engine.enter(member).0 }
            default:
                guard connection[member.id] != nil else { continue }
                let view = await engine.view(of: member.id)
                switch view.status {
                case .lobby where view.session.canMeet && view.session.pairsStarting: try await engine.meet(member.id)
                case .survey: try await engine.submitSurvey(member.id, pairing: view.survey!.pairing, answers: SessionFixture.goodAnswers)
                default: break
                }
            }
            // check: invariants after every step
            let pairings = await engine.allPairings
            let pairs = pairings.map { Pair($0.memberA, $0.memberB) }
            #expect(Set(pairs).count == pairs.count, "a pair repeated")
            let running = pairings.filter { $0.endedAt == nil }
            let inPairs = running.flatMap { [$0.memberA, $0.memberB] }
            #expect(Set(inPairs).count == inPairs.count, "someone is in two pairs")
            let waiting = Set(await engine.waitingUsers)
            #expect(waiting.isDisjoint(with: inPairs), "someone waits while in a pair")
            #expect(Set(fixture.store.pool.keys) == waiting)
            #expect(fixture.store.pairings.count == pairings.count)
            for pairing in pairings { #expect(fixture.store.pairings.contains(pairing)) }
        }
        #expect(await engine.isClosed)
        #expect(!fixture.store.pairings.isEmpty, "the random session should have paired people")
        #expect(fixture.store.pairings.allSatisfy { $0.endedAt != nil && $0.endedAt! <= fixture.times.end })
    }
}

import Foundation
import Meetings
import RealTime
import Testing

/// The room's rules without a socket: who gets in when, who may do what.
@Suite("Meeting rules: waiting room, roles, host controls, hands, sharing, rights")
struct MeetingRulesTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let owner = UUID()
    let organizer = MeetingArrival(id: UUID(), name: "Olga Organizer", isGuest: false, isOrganizer: true)
    var host: MeetingArrival { MeetingArrival(id: owner, name: "Hana Host", isGuest: false, isOrganizer: false) }

    func member(_ name: String) -> MeetingArrival { MeetingArrival(id: UUID(), name: name, isGuest: false, isOrganizer: false) }
    func guest(_ name: String) -> MeetingArrival { MeetingArrival(id: UUID(), name: name, isGuest: true, isOrganizer: false) }

    func room(waitingRoom: Bool = true, guests: Bool = true, cap: Int = 25, started: Bool = false) -> MeetingRoom {
        MeetingRoom(settings: MeetingSettings(owner: owner, waitingRoom: waitingRoom, guestsAllowed: guests, cap: cap, started: started))
    }

    /// A room with the host in and these people admitted.
    func roomWith(_ people: [MeetingArrival], waitingRoom: Bool = true) throws -> MeetingRoom {
        var room = room(waitingRoom: waitingRoom)
        _ = try room.arrive(host, at: t0)
        for person in people {
            _ = try room.arrive(person, at: t0)
            if room.people[person.id]?.standing == .waiting { try room.admit(person.id, by: owner, at: t0) }
        }
        return room
    }

    func refusal(_ body: () throws -> Void) -> String? {
        do { try body() } catch let refusal as ActivityRefusal { return refusal.code } catch { return "other" }
        return nil
    }

    // MARK: Arriving

    @Test("Arriving before the host with the waiting room on: waiting for admission, not let in when the host comes")
    func earlyArrivalWaits() throws {
        // setup
        var room = room()
        let ann = member("Ann")
        // act
        let arrived = try room.arrive(ann, at: t0)
        let hostArrived = try room.arrive(host, at: t0)
        // check
        #expect(arrived == .waiting(.admission))
        #expect(hostArrived == .admitted(alsoAdmitted: []))
        #expect(room.people[ann.id]?.standing == .waiting)
        #expect(!room.mayPublish(ann.id) && !room.mayWatch(ann.id, publisher: owner) && !room.mayChat(ann.id))
        #expect(room.waitingPeople.map(\.id) == [ann.id])
    }

    @Test("Without a waiting room, members wait for the host and come in with the host; guests still wait for admission")
    func noWaitingRoomWaitsForHost() throws {
        // setup
        var room = room(waitingRoom: false)
        let ann = member("Ann"), gus = guest("Gus")
        // act
        let annArrived = try room.arrive(ann, at: t0)
        let gusArrived = try room.arrive(gus, at: t0)
        let hostArrived = try room.arrive(host, at: t0)
        let ben = member("Ben")
        let benArrived = try room.arrive(ben, at: t0)
        // check
        #expect(annArrived == .waiting(.host))
        #expect(gusArrived == .waiting(.admission))
        #expect(hostArrived == .admitted(alsoAdmitted: [ann.id]))
        #expect(benArrived == .admitted(alsoAdmitted: []))
        #expect(room.people[gus.id]?.standing == .waiting)
        #expect(room.settings.started)
    }

    @Test("Organizers of the tenant host every meeting: in at once, may moderate; a guest named like one does not")
    func organizersHost() throws {
        // setup
        var room = room()
        // act
        let arrived = try room.arrive(organizer, at: t0)
        let fake = MeetingArrival(id: owner, name: "Hana Host", isGuest: true, isOrganizer: true)
        var other = self.room()
        let fakeArrived = try other.arrive(fake, at: t0)
        // check
        #expect(arrived == .admitted(alsoAdmitted: []))
        #expect(room.role(of: organizer.id) == .host && room.mayModerate(organizer.id))
        #expect(fakeArrived == .waiting(.admission))
        #expect(other.role(of: owner) == .guest)
    }

    @Test("Guests are refused when the meeting takes none")
    func guestsOff() {
        var room = room(guests: false)
        #expect(refusal { _ = try room.arrive(guest("Gus"), at: t0) } == "guests-off")
    }

    @Test("A locked meeting lets nobody new in, but someone admitted before comes back and hosts still enter")
    func lockedMeeting() throws {
        // setup
        let ann = member("Ann")
        var room = try roomWith([ann])
        room.depart(ann.id, at: t0)
        room.depart(owner, at: t0)
        try room.lock(true, by: organizerIn(&room))
        // act / check
        #expect(refusal { _ = try room.arrive(member("Ben"), at: t0) } == "locked")
        let annBack = try room.arrive(ann, at: t0.addingTimeInterval(3600))
        let hostBack = try room.arrive(host, at: t0)
        #expect(annBack == .admitted(alsoAdmitted: []))
        #expect(hostBack == .admitted(alsoAdmitted: []))
    }

    /// Brings the organizer in and returns their id.
    func organizerIn(_ room: inout MeetingRoom) throws -> UUID {
        _ = try room.arrive(organizer, at: t0)
        return organizer.id
    }

    @Test("The cap counts people in the room and those away within the grace; hosts always get in")
    func cap() throws {
        // setup
        var room = room(cap: 3)
        _ = try room.arrive(host, at: t0)
        let ann = member("Ann"), ben = member("Ben"), cyd = member("Cyd")
        for person in [ann, ben] { _ = try room.arrive(person, at: t0); try room.admit(person.id, by: owner, at: t0) }
        // act / check: full
        #expect(refusal { _ = try room.arrive(cyd, at: t0) } == "full")
        // Ann's page drops: her seat is kept during the grace, then freed.
        room.depart(ann.id, at: t0)
        #expect(refusal { _ = try room.arrive(cyd, at: t0.addingTimeInterval(30)) } == "full")
        let cydArrived = try room.arrive(cyd, at: t0.addingTimeInterval(61))
        #expect(cydArrived == .waiting(.admission))
        try room.admit(cyd.id, by: owner, at: t0.addingTimeInterval(61))
        // Ann is now over the cap: refused; the organizer is not.
        #expect(refusal { _ = try room.arrive(ann, at: t0.addingTimeInterval(62)) } == "full")
        let organizerArrived = try room.arrive(organizer, at: t0.addingTimeInterval(62))
        #expect(organizerArrived == .admitted(alsoAdmitted: []))
    }

    @Test("Admitting beyond the cap is refused; admit all lets in as many as fit, first come first")
    func admitBeyondCap() throws {
        // setup
        var room = room(cap: 3)
        _ = try room.arrive(host, at: t0)
        let people = ["Ann", "Ben", "Cyd"].map(member)
        for person in people { _ = try room.arrive(person, at: t0) }
        // act
        let admitted = try room.admitAll(by: owner, at: t0)
        // check
        #expect(admitted == [people[0].id, people[1].id])
        #expect(refusal { try room.admit(people[2].id, by: owner, at: t0) } == "full")
        #expect(refusal { _ = try room.admitAll(by: owner, at: t0) } == "full")
    }

    @Test("A network drop keeps one's place and raised hand within the grace; after it the hand is lowered")
    func reconnectKeepsPlace() throws {
        // setup
        let ann = member("Ann"), ben = member("Ben")
        var room = try roomWith([ann, ben])
        try room.raiseHand(ann.id)
        try room.raiseHand(ben.id)
        // act
        room.depart(ann.id, at: t0)
        let back = try room.arrive(ann, at: t0.addingTimeInterval(20))
        // check
        #expect(back == .admitted(alsoAdmitted: []))
        #expect(room.raisedHands == [ann.id, ben.id])
        // act: away beyond the grace
        room.depart(ann.id, at: t0.addingTimeInterval(30))
        #expect(room.nextExpiry(after: t0.addingTimeInterval(30)) == t0.addingTimeInterval(90))
        let early = room.expire(at: t0.addingTimeInterval(89))
        let due = room.expire(at: t0.addingTimeInterval(90))
        #expect(!early && due)
        // check
        #expect(room.raisedHands == [ben.id])
        #expect(!room.seatedPeople(at: t0.addingTimeInterval(90)).contains { $0.id == ann.id })
    }

    @Test("A second page takes over: the first one going away takes nobody out; the second one going away does")
    func newerPageTakesOver() throws {
        // setup: Ann in the room on page 1, then on page 2 (another window, a reload).
        let ann = member("Ann")
        var room = try roomWith([ann])
        let again = try room.arrive(ann, page: 2, at: t0)
        // act
        let firstLeft = room.depart(ann.id, page: 1, at: t0)
        // check
        #expect(again == .admitted(alsoAdmitted: []))
        #expect(!firstLeft && room.people[ann.id]?.page == 2 && room.isPresent(ann.id) && room.mayPublish(ann.id))
        // act / check: her current page goes: she is away (her place kept for the grace).
        let secondLeft = room.depart(ann.id, page: 2, at: t0)
        #expect(secondLeft && !room.isPresent(ann.id) && !room.mayPublish(ann.id))
        #expect(room.seatedPeople(at: t0).contains { $0.id == ann.id })
    }

    @Test("Someone waiting who leaves leaves the queue; the queue is in arrival order")
    func waitingQueue() throws {
        // setup
        var room = room()
        _ = try room.arrive(host, at: t0)
        let ann = member("Ann"), ben = guest("Ben"), cyd = member("Cyd")
        for person in [ann, ben, cyd] { _ = try room.arrive(person, at: t0) }
        // act
        room.depart(ben.id, at: t0)
        // check
        #expect(room.waitingPeople.map(\.id) == [ann.id, cyd.id])
        #expect(refusal { try room.admit(ben.id, by: owner, at: t0) } == "not-waiting")
    }

    // MARK: Host controls

    @Test("Every host control is refused to participants, guests and people not in the room")
    func controlsRefusedToParticipants() throws {
        // setup
        let ann = member("Ann"), gus = guest("Gus"), ben = member("Ben")
        var room = try roomWith([ann, gus])
        _ = try room.arrive(ben, at: t0)
        for actor in [ann.id, gus.id, ben.id, UUID()] {
            var copy = room
            // act / check
            #expect(refusal { try copy.admit(ben.id, by: actor, at: t0) } == "hosts-only")
            #expect(refusal { _ = try copy.admitAll(by: actor, at: t0) } == "hosts-only")
            #expect(refusal { try copy.refuse(ben.id, by: actor) } == "hosts-only")
            #expect(refusal { try copy.mute(gus.id, by: actor) } == "hosts-only")
            #expect(refusal { _ = try copy.muteAll(by: actor) } == "hosts-only")
            #expect(refusal { try copy.askToUnmute(gus.id, by: actor) } == "hosts-only")
            #expect(refusal { try copy.remove(gus.id, by: actor) } == "hosts-only")
            #expect(refusal { try copy.setCoHost(gus.id, true, by: actor) } == "hosts-only")
            #expect(refusal { try copy.lock(true, by: actor) } == "hosts-only")
            #expect(refusal { try copy.end(by: actor) } == "hosts-only")
            #expect(refusal { try copy.lowerHand(owner, by: actor) } == "hosts-only")
            #expect(copy == room)
        }
    }

    @Test("A host who left the room cannot moderate from elsewhere")
    func absentHostCannotModerate() throws {
        let ann = member("Ann")
        var room = try roomWith([ann])
        room.depart(owner, at: t0)
        #expect(refusal { try room.mute(ann.id, by: owner) } == "hosts-only")
    }

    @Test("Mute blocks; the person cannot unmute until asked; asking only lifts the block")
    func muteAndAsk() throws {
        // setup
        let ann = member("Ann")
        var room = try roomWith([ann])
        try room.setMic(ann.id, true)
        // act
        try room.mute(ann.id, by: owner)
        // check
        #expect(room.people[ann.id]?.blocked == true && room.people[ann.id]?.mic == false)
        #expect(refusal { try room.setMic(ann.id, true) } == "muted-by-host")
        // act
        try room.askToUnmute(ann.id, by: owner)
        // check: still off until she turns it on
        #expect(room.people[ann.id]?.blocked == false && room.people[ann.id]?.mic == false)
        try room.setMic(ann.id, true)
        #expect(room.people[ann.id]?.mic == true)
    }

    @Test("Mute all mutes everyone but hosts and co-hosts")
    func muteAll() throws {
        let ann = member("Ann"), ben = member("Ben"), gus = guest("Gus")
        var room = try roomWith([ann, ben, gus])
        try room.setCoHost(ben.id, true, by: owner)
        let muted = try room.muteAll(by: owner)
        #expect(Set(muted) == [ann.id, gus.id])
        #expect(room.people[owner]?.blocked == false && room.people[ben.id]?.blocked == false)
    }

    @Test("Co-hosts moderate participants but not hosts or other co-hosts, and cannot make co-hosts")
    func coHosts() throws {
        // setup
        let ann = member("Ann"), ben = member("Ben"), cyd = member("Cyd")
        var room = try roomWith([ann, ben, cyd])
        try room.setCoHost(ann.id, true, by: owner)
        try room.setCoHost(ben.id, true, by: owner)
        // check
        #expect(room.role(of: ann.id) == .coHost && room.mayModerate(ann.id))
        #expect(refusal { try room.mute(owner, by: ann.id) } == "not-allowed")
        #expect(refusal { try room.remove(ben.id, by: ann.id) } == "not-allowed")
        #expect(refusal { try room.setCoHost(cyd.id, true, by: ann.id) } == "hosts-only")
        try room.mute(cyd.id, by: ann.id)
        #expect(room.people[cyd.id]?.blocked == true)
        // a host can unmake a co-host
        try room.setCoHost(ann.id, false, by: owner)
        #expect(room.role(of: ann.id) == .participant && !room.mayModerate(ann.id))
    }

    @Test("Nobody can remove or mute a host, not even another host")
    func hostsUntouchable() throws {
        var room = try roomWith([])
        _ = try room.arrive(organizer, at: t0)
        #expect(refusal { try room.remove(owner, by: organizer.id) } == "not-allowed")
        #expect(refusal { try room.mute(owner, by: organizer.id) } == "not-allowed")
        #expect(refusal { try room.remove(organizer.id, by: organizer.id) } == "not-allowed")
    }

    @Test("Removed and refused people cannot come back")
    func removedStaysOut() throws {
        // setup
        let ann = member("Ann"), ben = member("Ben")
        var room = try roomWith([ann])
        _ = try room.arrive(ben, at: t0)
        // act
        try room.remove(ann.id, by: owner)
        try room.refuse(ben.id, by: owner)
        // check
        #expect(refusal { _ = try room.arrive(ann, at: t0) } == "removed")
        #expect(refusal { _ = try room.arrive(ben, at: t0) } == "refused")
        #expect(!room.mayPublish(ann.id) && !room.mayWatch(owner, publisher: ann.id))
    }

    @Test("Ending stops everything: no rights, nobody enters")
    func ending() throws {
        let ann = member("Ann")
        var room = try roomWith([ann])
        try room.end(by: owner)
        #expect(!room.mayPublish(owner) && !room.mayWatch(ann.id, publisher: owner) && !room.mayChat(ann.id))
        #expect(refusal { _ = try room.arrive(ann, at: t0) } == "ended")
        #expect(refusal { _ = try room.arrive(host, at: t0) } == "ended")
    }

    // MARK: One's own

    @Test("Hands are queued in the order raised; a host lowers anyone's, a participant only their own")
    func hands() throws {
        let ann = member("Ann"), ben = member("Ben"), cyd = member("Cyd")
        var room = try roomWith([ann, ben, cyd])
        try room.raiseHand(cyd.id)
        try room.raiseHand(ann.id)
        try room.raiseHand(ben.id)
        try room.raiseHand(cyd.id)  // again: keeps its place
        #expect(room.raisedHands == [cyd.id, ann.id, ben.id])
        #expect(refusal { try room.lowerHand(cyd.id, by: ann.id) } == "hosts-only")
        try room.lowerHand(cyd.id, by: owner)
        try room.lowerHand(ben.id, by: ben.id)
        #expect(room.raisedHands == [ann.id])
    }

    @Test("One presenter at a time; leaving ends one's share")
    func sharing() throws {
        let ann = member("Ann"), ben = member("Ben")
        var room = try roomWith([ann, ben])
        try room.share(ann.id, true)
        #expect(refusal { try room.share(ben.id, true) } == "someone-sharing")
        #expect(room.presenter == ann.id)
        room.depart(ann.id, at: t0)
        #expect(room.presenter == nil)
        try room.share(ben.id, true)
        #expect(room.presenter == ben.id)
    }

    @Test("Waiting people can do nothing in the room")
    func waitingCannotAct() throws {
        var room = room()
        _ = try room.arrive(host, at: t0)
        let ann = member("Ann")
        _ = try room.arrive(ann, at: t0)
        #expect(refusal { try room.raiseHand(ann.id) } == "not-admitted")
        #expect(refusal { try room.setMic(ann.id, true) } == "not-admitted")
        #expect(refusal { try room.share(ann.id, true) } == "not-admitted")
    }

    @Test("Rights: admitted people publish and watch admitted people; nobody watches the waiting room")
    func rights() throws {
        let ann = member("Ann"), ben = member("Ben")
        var room = try roomWith([ann])
        _ = try room.arrive(ben, at: t0)
        #expect(room.mayPublish(ann.id) && room.mayWatch(ann.id, publisher: owner))
        #expect(!room.mayPublish(ben.id) && !room.mayWatch(ann.id, publisher: ben.id) && !room.mayWatch(ben.id, publisher: ann.id))
        room.depart(ann.id, at: t0)
        #expect(!room.mayPublish(ann.id) && !room.mayWatch(ann.id, publisher: owner))
    }

    @Test("The speaker is whoever started talking last; when they stop, whoever still talks; strangers never")
    func speaker() throws {
        let ann = member("Ann"), ben = member("Ben"), cyd = member("Cyd")
        var room = try roomWith([ann, ben, cyd])
        for person in [ann, ben, cyd] { try room.setMic(person.id, true) }
        let first = room.talking(ann.id, true), again = room.talking(ann.id, true), stranger = room.talking(UUID(), true)
        #expect(first && !again && !stranger)
        #expect(room.speaker == ann.id)
        // Ben starts while Ann goes on: Ben; Ben stops: Ann again (she never stopped).
        let benStarts = room.talking(ben.id, true)
        #expect(benStarts && room.speaker == ben.id)
        let benStops = room.talking(ben.id, false)
        #expect(benStops && room.speaker == ann.id)
        // Ann stops too: she stays the last speaker.
        let annStops = room.talking(ann.id, false)
        #expect(!annStops && room.speaker == ann.id)
        // Cyd talks, then mutes (still "talking" to the media server); Ben talks and stops: Ben stays.
        _ = room.talking(cyd.id, true)
        try room.setMic(cyd.id, false)
        _ = room.talking(ben.id, true)
        _ = room.talking(ben.id, false)
        #expect(room.speaker == ben.id)
    }
}

/// The rules' tests give each arrival page 1 unless a test is about pages, and take a person's
/// current page away when they depart.
extension MeetingRoom {
    mutating func arrive(_ arrival: MeetingArrival, at now: Date) throws(ActivityRefusal) -> Arrived {
        try arrive(arrival, page: 1, at: now)
    }

    mutating func depart(_ id: UUID, at now: Date) {
        guard let page = people[id]?.page else { return }
        depart(id, page: page, at: now)
    }
}

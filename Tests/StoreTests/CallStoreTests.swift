import Calls
import Foundation
import PostgresNIO
import Store
import Synchronization
import Testing
import TestSupport

/// Calls in PostgreSQL: one live call per person (kept by the database), busy calls recorded,
/// tenant isolation, the missed call as a message and a notification, the log, resuming.
@Suite("Call store: lines, busy, isolation, missed calls, the log")
struct CallStoreTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }

    /// The name `Fixtures.user` gives someone it makes.
    static func name(_ username: String) -> String { "\(username.capitalized) Tester" }

    /// Starts a call in its own transaction, as the caller.
    func start(_ db: TestDatabase, _ tenant: TenantID, _ caller: UserID, _ callee: UserID, video: Bool = true, at time: Date? = nil,
               elsewhere: Bool = false) async throws -> CallStart {
        try await db.app.withTenant(tenant, user: caller) { tx in
            try await tx.startCall(tenant: tenant, caller: caller, callee: callee, video: video, at: time ?? t0, calleeElsewhere: elsewhere)
        }
    }

    func ringing(_ start: CallStart) throws -> CallRecord {
        guard case .ringing(let call) = start else { throw TestSetupError("expected a ringing call, got \(start)") }
        return call
    }

    func lines(_ db: TestDatabase, _ tenant: TenantID) async throws -> [UUID: UUID] {
        let rows = try await db.app.withTenant(tenant) { tx in try await tx.query("SELECT user_id, call_id FROM call_lines").all((UUID, UUID).self) }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, $0.1) })
    }

    @Test("One live call per person: the callee's taken line makes a busy call, the caller's refuses; the end frees both lines")
    func oneLiveCallPerPerson() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            let (ada, bo, cy) = (acme.members[0], acme.members[1], acme.members[2])
            // act
            let first = try ringing(try await start(db, acme.tenant, ada, bo))
            let linesWhileLive = try await lines(db, acme.tenant)
            let toBusy = try await start(db, acme.tenant, cy, bo, video: false, at: at(3))
            let fromBusy = try await start(db, acme.tenant, ada, cy)
            let calleeCallsBack = try await start(db, acme.tenant, bo, ada)
            let callsWhileLive = try await db.app.withTenant(acme.tenant) { try await $0.query("SELECT count(*)::int FROM calls").first(Int.self) }
            let ended = try await db.app.withTenant(acme.tenant) { tx in try await tx.endCall(first.id, outcome: .cancelled, endedBy: ada, at: at(5)) }
            let linesAfter = try await lines(db, acme.tenant)
            let again = try await start(db, acme.tenant, cy, bo, at: at(6))
            // check
            #expect(linesWhileLive == [ada: first.id, bo: first.id])
            guard case .busy(let busy) = toBusy else { Issue.record("expected busy, got \(toBusy)"); return }
            #expect(busy.outcome == .busy && busy.endedAt == at(3) && busy.createdAt == at(3) && busy.caller == cy && !busy.video)
            #expect(fromBusy == .callerInCall(first.id))
            #expect(calleeCallsBack == .callerInCall(first.id))
            #expect(callsWhileLive == 2, "the ringing call and the busy one; a refused start writes nothing")
            #expect(ended?.outcome == .cancelled && ended?.endedBy == ada && ended?.endedAt == at(5))
            #expect(linesAfter.isEmpty)
            #expect(try ringing(again).callee == bo)
        }
    }

    @Test("At the same moment: two people calling each other — one rings, the other is refused, never a deadlock; two calling one — one rings, the other is busy")
    func simultaneousStarts() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            let (ada, bo, cy) = (acme.members[0], acme.members[1], acme.members[2])
            for round in 0..<8 {
                // act
                let pairs = round % 2 == 0 ? [(ada, bo), (bo, ada)] : [(ada, bo), (cy, bo)]
                async let first = start(db, acme.tenant, pairs[0].0, pairs[0].1, at: at(Double(round)))
                async let second = start(db, acme.tenant, pairs[1].0, pairs[1].1, at: at(Double(round)))
                let results = try await [first, second]
                // check
                let ringing = results.compactMap { if case .ringing(let call) = $0 { call } else { nil } }
                let others = results.filter { if case .ringing = $0 { false } else { true } }
                #expect(ringing.count == 1, "round \(round): \(results)")
                if round % 2 == 0 {
                    #expect(others == [.callerInCall(ringing.first?.id ?? UUID())], "round \(round)")
                } else {
                    #expect(others.allSatisfy { if case .busy = $0 { true } else { false } } && others.count == 1, "round \(round)")
                }
                for call in ringing {
                    try await db.app.withTenant(acme.tenant) { tx in _ = try await tx.endCall(call.id, outcome: .cancelled, endedBy: call.caller, at: at(Double(round))) }
                }
            }
        }
    }

    @Test("A callee the caller knows to be in a meeting or a live session is busy: recorded, no line taken")
    func busyElsewhere() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let (ada, bo) = (acme.members[0], acme.members[1])
            // act
            let started = try await start(db, acme.tenant, ada, bo, elsewhere: true)
            // check
            guard case .busy(let busy) = started else { Issue.record("expected busy, got \(started)"); return }
            #expect(busy.outcome == .busy && busy.endedAt != nil)
            #expect(try await lines(db, acme.tenant).isEmpty)
        }
    }

    @Test("The database itself refuses a second line for a person, and a call with oneself")
    func databaseKeepsTheRule() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            let (ada, bo, cy) = (acme.members[0], acme.members[1], acme.members[2])
            let first = try ringing(try await start(db, acme.tenant, ada, bo))
            let second = try ringing(try await start(db, acme.tenant, cy, acme.organizer))
            // act / check
            await expectRefusal("23505", "a second live line for Bo") {
                try await db.app.withTenant(acme.tenant) { tx in
                    try await tx.execute("INSERT INTO call_lines (tenant_id, user_id, call_id) VALUES (\(acme.tenant), \(bo), \(second.id))")
                }
            }
            await expectRefusal("23514", "calling oneself") {
                try await db.app.withTenant(acme.tenant) { tx in
                    try await tx.execute("INSERT INTO calls (tenant_id, caller_id, callee_id, video) VALUES (\(acme.tenant), \(ada), \(ada), true)")
                }
            }
            await expectRefusal("23514", "an outcome that is not one of the six") {
                try await db.app.withTenant(acme.tenant) { tx in
                    try await tx.execute("UPDATE calls SET ended_at = now(), outcome = 'lost' WHERE id = \(first.id)")
                }
            }
            await expectRefusal("23514", "an unanswered call cannot end as answered") {
                try await db.app.withTenant(acme.tenant) { tx in
                    try await tx.execute("UPDATE calls SET ended_at = now(), outcome = 'answered' WHERE id = \(first.id)")
                }
            }
        }
    }

    @Test("Another tenant's call is invisible: not read, answered, ended or logged, and its lines are not seen")
    func tenantIsolation() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme")
            let globex = try await fixtures.populatedTenant("globex")
            let call = try ringing(try await start(db, acme.tenant, acme.members[0], acme.members[1]))
            // act
            let (read, answered, ended, log, lineCount) = try await db.app.withTenant(globex.tenant, user: globex.organizer) { tx in
                (try await tx.call(call.id), try await tx.markCallAnswered(call.id, at: at(1)),
                 try await tx.endCall(call.id, outcome: .cancelled, endedBy: nil, at: at(1)),
                 try await tx.callLog(between: acme.members[0], and: acme.members[1]),
                 try await tx.query("SELECT count(*)::int FROM call_lines").first(Int.self))
            }
            let still = try await db.app.withTenant(acme.tenant) { tx in try await tx.call(call.id) }
            // check
            #expect(read == nil && !answered && ended == nil && log.isEmpty && lineCount == 0)
            #expect(still == call, "acme's call is untouched")
        }
    }

    @Test("A missed call ends the call, is a message from the caller in the conversation (unread for the callee) and a notification; the hook runs in the same transaction",
          arguments: [true, false])
    func missedCall(video: Bool) async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let (ada, bo) = (acme.members[0], acme.members[1])
            let call = try ringing(try await start(db, acme.tenant, ada, bo, video: video))
            let heard = HookLog()
            let store = PostgresCallStore(database: db.app, tenant: acme.tenant) { tx, missed in
                let seen = try await tx.query("SELECT count(*)::int FROM messages WHERE id = \(missed.message)").first(Int.self)
                heard.add(missed, sawMessage: seen == 1)
            }
            // act
            try await store.ended(call: call.id, outcome: .missed, endedBy: nil, at: at(30))
            // check
            let (record, conversation, messages, unread, notices, callID) = try await db.app.withTenant(acme.tenant, user: bo) { tx in
                let conversation = try await tx.existingConversation(between: bo, and: ada)
                var messages: [Message] = []
                if let conversation { messages = try await tx.messages(conversation: conversation) }
                return (try await tx.call(call.id), conversation, messages, try await tx.unreadCounts(user: bo), try await tx.notices(user: bo),
                        try await tx.query("SELECT call_id FROM messages").first(UUID?.self))
            }
            #expect(record?.outcome == .missed && record?.endedAt == at(30) && record?.endedBy == nil)
            #expect(try await lines(db, acme.tenant).isEmpty)
            #expect(messages.map(\.body) == [video ? "Missed video call" : "Missed call"] && messages.first?.sender == ada)
            #expect(callID == call.id)
            #expect(unread.messages == 1 && unread.notices == 1)
            #expect(notices.map(\.text) == ["Missed call from \(Self.name("acme-member1"))"] && notices.first?.link == "/messages/acme-member1")
            let missed = heard.calls
            #expect(missed.count == 1 && missed.first?.sawMessage == true)
            #expect(missed.first?.missed.conversation == conversation && missed.first?.missed.callerUsername == "acme-member1")
            // act / check: a second end of the same call changes nothing and writes no second message.
            try await store.ended(call: call.id, outcome: .missed, endedBy: nil, at: at(31))
            #expect(heard.calls.count == 1)
        }
    }

    @Test("The call log between two people: newest first, who called, video, outcome, how long; either way round; not other pairs")
    func callLog() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme", members: 3)
            let (ada, bo, cy) = (acme.members[0], acme.members[1], acme.members[2])
            let talked = try ringing(try await start(db, acme.tenant, ada, bo, at: t0))
            let store = PostgresCallStore(database: db.app, tenant: acme.tenant)
            try await store.answered(call: talked.id, at: at(5))
            try await store.ended(call: talked.id, outcome: .answered, endedBy: bo, at: at(65))
            let missed = try ringing(try await start(db, acme.tenant, bo, ada, video: false, at: at(100)))
            try await store.ended(call: missed.id, outcome: .missed, endedBy: nil, at: at(130))
            _ = try await start(db, acme.tenant, ada, cy, at: at(200))
            // act
            let (log, reversed) = try await db.app.withTenant(acme.tenant, user: ada) { tx in
                (try await tx.callLog(between: ada, and: bo), try await tx.callLog(between: bo, and: ada))
            }
            // check
            #expect(log == reversed)
            #expect(log.map(\.call) == [missed.id, talked.id])
            #expect(log.map(\.caller) == [bo, ada] && log.map(\.video) == [false, true])
            #expect(log.map(\.outcome) == [.missed, .answered] && log.map(\.duration) == [nil, 60])
            #expect(log.map(\.at) == [at(100), t0])
        }
    }

    @Test("Loading a call: both names and its times; answering writes when")
    func loadAndAnswer() async throws {
        try await withTestDatabase { db in
            // setup
            let acme = try await Fixtures(db).populatedTenant("acme")
            let (ada, bo) = (acme.members[0], acme.members[1])
            let call = try ringing(try await start(db, acme.tenant, ada, bo, video: false))
            let store = PostgresCallStore(database: db.app, tenant: acme.tenant)
            // act
            try await store.answered(call: call.id, at: at(4))
            let loaded = try await store.load(call: call.id)
            let otherTenant = try await Fixtures(db).populatedTenant("globex")
            let elsewhere = try await PostgresCallStore(database: db.app, tenant: otherTenant.tenant).load(call: call.id)
            // check
            #expect(loaded == CallSnapshot(id: call.id, caller: CallParty(id: ada, name: Self.name("acme-member1")),
                                           callee: CallParty(id: bo, name: Self.name("acme-member2")), video: false, startedAt: t0,
                                           answeredAt: at(4)))
            #expect(elsewhere == nil)
        }
    }

    @Test("Live calls of every tenant are found for resuming; ended ones are not")
    func unfinished() async throws {
        try await withTestDatabase { db in
            // setup
            let fixtures = Fixtures(db)
            let acme = try await fixtures.populatedTenant("acme", members: 3)
            let globex = try await fixtures.populatedTenant("globex")
            let acmeCall = try ringing(try await start(db, acme.tenant, acme.members[0], acme.members[1]))
            let globexCall = try ringing(try await start(db, globex.tenant, globex.members[0], globex.members[1]))
            let over = try ringing(try await start(db, acme.tenant, acme.members[2], acme.organizer))
            try await PostgresCallStore(database: db.app, tenant: acme.tenant).ended(call: over.id, outcome: .cancelled, endedBy: acme.members[2], at: at(2))
            // act
            let found = try await db.app.withoutTenant { tx in try await tx.unfinishedCalls() }
            // check
            #expect(Set(found.map(\.call)) == [acmeCall.id, globexCall.id])
            #expect(Set(found.map(\.tenant)) == [acme.tenant, globex.tenant])
        }
    }
}

/// What the missed-call hook was given.
final class HookLog: Sendable {
    struct Heard: Sendable { var missed: MissedCall; var sawMessage: Bool }
    private let heard = Mutex<[Heard]>([])
    func add(_ missed: MissedCall, sawMessage: Bool) { heard.withLock { $0.append(Heard(missed: missed, sawMessage: sawMessage)) } }
    var calls: [Heard] { heard.withLock { $0 } }
}

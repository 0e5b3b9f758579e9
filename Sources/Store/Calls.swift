import Calls
import Foundation
import PostgresNIO

/// One row of `calls` (DESIGN §11).
public struct CallRecord: Sendable, Equatable {
    public var id: UUID
    public var caller: UserID
    public var callee: UserID
    public var video: Bool
    /// When it started ringing (a busy call: when it was tried).
    public var createdAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    /// Nil while the call is live.
    public var outcome: CallOutcome?
    public var endedBy: UserID?

    public var isLive: Bool { endedAt == nil }

    /// How long the two talked: answered calls that ended.
    public var duration: TimeInterval? {
        guard let answeredAt, let endedAt else { return nil }
        return endedAt.timeIntervalSince(answeredAt)
    }
}

/// What starting a call came to.
public enum CallStart: Sendable, Equatable {
    /// Both lines were free: the call rings.
    case ringing(CallRecord)
    /// The callee was in another call (or, as the caller of `startCall` knew, in a meeting or a
    /// live session): a `busy` call is recorded for the log, over at once.
    case busy(CallRecord)
    /// The caller is already in a call (this one): nothing was written.
    case callerInCall(UUID)
}

/// One line of the call log between two people.
public struct CallLogEntry: Sendable, Equatable {
    public var call: UUID
    /// When it was made.
    public var at: Date
    /// Who called.
    public var caller: UserID
    public var video: Bool
    /// Nil while the call is live.
    public var outcome: CallOutcome?
    /// How long the two talked (answered calls that ended).
    public var duration: TimeInterval?
}

/// A call nobody answered, as written: the message in the two people's conversation (from the
/// caller) and who the caller is, for the email the app sends about it.
public struct MissedCall: Sendable, Equatable {
    public var call: CallRecord
    public var conversation: UUID
    public var message: Int
    public var callerUsername: String
    public var callerName: String
}

/// Someone of a call as the log and the pages name them.
public struct CallPerson: Sendable, Equatable {
    public var id: UserID
    public var username: String
    /// First and last name, or the username when both are empty.
    public var name: String
}

extension Transaction {
    static let callColumns = "id, caller_id, callee_id, video, created_at, answered_at, ended_at, outcome, ended_by"

    private struct CallRow {
        typealias Columns = (UUID, UUID, UUID, Bool, Date, Date?, Date?, String?, UUID?)
        var record: CallRecord

        init(_ row: Columns) {
            let (id, caller, callee, video, createdAt, answeredAt, endedAt, outcome, endedBy) = row
            record = CallRecord(id: id, caller: caller, callee: callee, video: video, createdAt: createdAt, answeredAt: answeredAt,
                                endedAt: endedAt, outcome: outcome.flatMap(CallOutcome.init(rawValue:)), endedBy: endedBy)
        }
    }

    /// Starts a call from `caller` to `callee` in the current tenant: both take their line (one
    /// live call per person, kept by `call_lines`' primary key), and the call rings. When the
    /// callee's line is taken — or `calleeElsewhere` (the caller of this knows they are in a
    /// meeting or a live session) — the call is recorded as `busy`, over at once, and no line is
    /// kept. When the caller's own line is taken, nothing is written.
    public func startCall(tenant: TenantID, caller: UserID, callee: UserID, video: Bool, at time: Date,
                          calleeElsewhere: Bool = false) async throws -> CallStart {
        let id = UUID()
        // Lines in one order for every call: two people calling each other at once wait on each
        // other's first line rather than deadlock.
        var took: [UserID: Bool] = [:]
        for user in [caller, callee].sorted(by: { $0.uuidString.lowercased() < $1.uuidString.lowercased() })
        where !(user == callee && calleeElsewhere) {
            took[user] = try await query("""
                INSERT INTO call_lines (tenant_id, user_id, call_id) VALUES (\(tenant), \(user), \(id))
                ON CONFLICT (tenant_id, user_id) DO NOTHING RETURNING 1
                """).first(Int.self) != nil
        }
        if took[caller] != true {
            if took[callee] == true { try await freeLines(of: id) }
            let existing = try await query("SELECT call_id FROM call_lines WHERE user_id = \(caller)").first(UUID.self)
            return .callerInCall(existing ?? id)
        }
        if took[callee] != true {
            try await freeLines(of: id)
            let rows = try await query("""
                INSERT INTO calls (tenant_id, id, caller_id, callee_id, video, created_at, ended_at, outcome)
                VALUES (\(tenant), \(id), \(caller), \(callee), \(video), \(time), \(time), 'busy')
                RETURNING \(unescaped: Self.callColumns)
                """)
            guard let row = try await rows.first(CallRow.Columns.self) else { throw MissingRow() }
            return .busy(CallRow(row).record)
        }
        let rows = try await query("""
            INSERT INTO calls (tenant_id, id, caller_id, callee_id, video, created_at)
            VALUES (\(tenant), \(id), \(caller), \(callee), \(video), \(time))
            RETURNING \(unescaped: Self.callColumns)
            """)
        guard let row = try await rows.first(CallRow.Columns.self) else { throw MissingRow() }
        return .ringing(CallRow(row).record)
    }

    private func freeLines(of call: UUID) async throws {
        try await execute("DELETE FROM call_lines WHERE call_id = \(call)")
    }

    /// A call of the current tenant.
    public func call(_ id: UUID) async throws -> CallRecord? {
        try await query("SELECT \(unescaped: Self.callColumns) FROM calls WHERE id = \(id)").first(CallRow.Columns.self).map { CallRow($0).record }
    }

    /// The callee answered; false when the call is no longer ringing.
    @discardableResult
    public func markCallAnswered(_ id: UUID, at time: Date) async throws -> Bool {
        try await query("""
            UPDATE calls SET answered_at = \(time) WHERE id = \(id) AND answered_at IS NULL AND ended_at IS NULL RETURNING 1
            """).first(Int.self) != nil
    }

    /// The call is over: its outcome is recorded and both lines are freed. Nil when it was over
    /// already (nothing changes then).
    @discardableResult
    public func endCall(_ id: UUID, outcome: CallOutcome, endedBy: UserID?, at time: Date) async throws -> CallRecord? {
        let rows = try await query("""
            UPDATE calls SET ended_at = \(time), outcome = \(outcome.rawValue), ended_by = \(endedBy)
            WHERE id = \(id) AND ended_at IS NULL
            RETURNING \(unescaped: Self.callColumns)
            """)
        guard let row = try await rows.first(CallRow.Columns.self) else { return nil }
        try await freeLines(of: id)
        return CallRow(row).record
    }

    /// Nobody answered: the call ends as `missed`, a message from the caller stands for it in the
    /// two people's conversation (made if need be; unread, pushed and emailed like any message),
    /// and the callee is notified. The transaction's user must be one who may read both people
    /// (the caller, say). Nil when the call was over already.
    public func missCall(tenant: TenantID, _ id: UUID, at time: Date) async throws -> MissedCall? {
        guard let call = try await endCall(id, outcome: .missed, endedBy: nil, at: time) else { return nil }
        let people = try await callPeople([call.caller])
        let caller = people[call.caller] ?? CallPerson(id: call.caller, username: "", name: "Someone")
        let conversation = try await self.conversation(tenant: tenant, between: call.caller, and: call.callee)
        let message = try await addMessage(tenant: tenant, conversation: conversation, sender: call.caller,
                                           body: call.video ? "Missed video call" : "Missed call", call: call.id)
        try await notify(tenant: tenant, call.callee, "Missed call from \(caller.name)",
                         link: caller.username.isEmpty ? "/messages" : "/messages/\(caller.username)")
        return MissedCall(call: call, conversation: conversation, message: message, callerUsername: caller.username, callerName: caller.name)
    }

    /// Usernames and names of these people, as far as the transaction's user may read them.
    public func callPeople(_ ids: [UserID]) async throws -> [UserID: CallPerson] {
        let rows = try await query("""
            SELECT id, username, trim(first_name || ' ' || last_name) FROM users WHERE id = ANY(\(ids))
            """).all((UUID, String, String).self)
        var people: [UserID: CallPerson] = [:]
        for (id, username, name) in rows { people[id] = CallPerson(id: id, username: username, name: name.isEmpty ? username : name) }
        return people
    }

    /// The calls between two people, newest first.
    public func callLog(between a: UserID, and b: UserID, limit: Int = 100) async throws -> [CallLogEntry] {
        try await query("""
            SELECT \(unescaped: Self.callColumns) FROM calls
            WHERE least(caller_id, callee_id) = least(\(a)::uuid, \(b)::uuid)
              AND greatest(caller_id, callee_id) = greatest(\(a)::uuid, \(b)::uuid)
            ORDER BY created_at DESC, id
            LIMIT \(limit)
            """).all(CallRow.Columns.self).map { row in
                let call = CallRow(row).record
                return CallLogEntry(call: call.id, at: call.createdAt, caller: call.caller, video: call.video, outcome: call.outcome,
                                    duration: call.duration)
            }
    }

    /// Live calls of every active tenant (ended_at NULL), for a starting node to load their
    /// engines. Asked without a tenant (ids only).
    public func unfinishedCalls(limit: Int = 1000) async throws -> [(tenant: TenantID, call: UUID)] {
        try await query("SELECT tenant_id, call_id FROM calls_to_resume(\(Int32(limit)))").all((UUID, UUID).self)
            .map { (tenant: $0.0, call: $0.1) }
    }
}

import Foundation
import Meetings
import PostgresNIO

/// A meeting room's persistence in PostgreSQL: every call is one transaction in the tenant's
/// row-level-security scope, so a meeting can only ever touch its own tenant's rows.
public struct PostgresMeetingStore: MeetingStore {
    let database: Database
    let tenant: TenantID

    public init(database: Database, tenant: TenantID) {
        self.database = database
        self.tenant = tenant
    }

    /// The meeting as its room needs it; nil for no such meeting, or a cancelled one.
    public func load(meeting id: UUID) async throws -> MeetingSnapshot? {
        try await database.withTenant(tenant) { tx in
            guard let meeting = try await tx.meeting(id), meeting.cancelledAt == nil else { return nil }
            var decisions: [UUID: (standing: MeetingStanding, coHost: Bool)] = [:]
            for person in try await tx.meetingPeople(id) {
                decisions[person.person] = (MeetingStanding(rawValue: person.status.rawValue) ?? .admitted, person.coHost)
            }
            let chat = try await tx.meetingChat(id, limit: MeetingEngine.chatHistoryLength).map(Self.line)
            let settings = MeetingSettings(owner: meeting.createdBy, waitingRoom: meeting.waitingRoom, guestsAllowed: meeting.guestsAllowed,
                                           cap: meeting.participantCap, locked: meeting.locked, started: meeting.startedAt != nil,
                                           ended: meeting.endedAt != nil)
            return MeetingSnapshot(title: meeting.title, settings: settings, decisions: decisions, chat: chat)
        }
    }

    public func started(meeting: UUID, at time: Date) async throws {
        try await database.withTenant(tenant) { tx in try await tx.markMeetingStarted(meeting, at: time) }
    }

    public func ended(meeting: UUID, at time: Date) async throws {
        try await database.withTenant(tenant) { tx in try await tx.markMeetingEnded(meeting, at: time) }
    }

    public func locked(meeting: UUID, _ on: Bool) async throws {
        try await database.withTenant(tenant) { tx in try await tx.setMeetingLocked(meeting, on) }
    }

    public func decided(meeting: UUID, person: UUID, standing: MeetingStanding, coHost: Bool) async throws {
        guard let status = MeetingPersonRecord.Status(rawValue: standing.rawValue) else { return }
        try await database.withTenant(tenant) { tx in
            try await tx.saveMeetingPerson(tenant: tenant, meeting: meeting, MeetingPersonRecord(person: person, status: status, coHost: coHost))
        }
    }

    public func chat(meeting: UUID, from: UUID, name: String, text: String) async throws -> MeetingChatLine {
        try await database.withTenant(tenant) { tx in
            Self.line(try await tx.addMeetingChat(tenant: tenant, meeting: meeting, author: from, authorName: name, body: text))
        }
    }

    static func line(_ record: MeetingChatRecord) -> MeetingChatLine {
        MeetingChatLine(seq: record.seq, from: record.author, name: record.authorName, text: record.body, at: record.sentAt)
    }
}

import Foundation
import Reports
import Store

/// Time spent in a session's live room: the union of a person's visits (several windows
/// overlap and count once). A visit that was never closed (a crash the next engine has not
/// yet cleaned up) counts until `until`: now, but never past the room's closing.
enum RoomTime {
    static func seconds(_ visits: [RoomVisitRecord], until: Date) -> TimeInterval {
        let spans = visits.compactMap { visit -> (Date, Date)? in
            let end = min(visit.leftAt ?? until, until)
            return end > visit.enteredAt ? (visit.enteredAt, end) : nil
        }.sorted { $0.0 < $1.0 }
        var total: TimeInterval = 0
        var current: (start: Date, end: Date)?
        for (start, end) in spans {
            if let open = current, start <= open.end {
                current = (open.start, max(open.end, end))
            } else {
                if let open = current { total += open.end.timeIntervalSince(open.start) }
                current = (start, end)
            }
        }
        if let open = current { total += open.end.timeIntervalSince(open.start) }
        return total
    }

    /// Whole minutes, rounded to the nearest.
    static func minutes(_ seconds: TimeInterval) -> Int { Int((seconds / 60).rounded()) }
}

/// How a member answered their invitation, in words.
extension InvitationAnswer {
    var label: String {
        switch self {
        case .yes: "Coming"
        case .no: "Can’t come"
        }
    }
}

/// One person of a session's attendance, worked out once for the page and the CSV file.
struct AttendanceEntry: Equatable {
    var name: String
    var username: String
    var invitedAt: Date?
    var openedAt: Date?
    var answer: InvitationAnswer?
    var answeredAt: Date?
    /// Nil when they never entered the room.
    var roomSeconds: TimeInterval?
    var rounds: Int
    var conversations: Int

    var came: Bool { roomSeconds != nil }

    /// Members of the session (organizers are left out: they run it), in a useful order: those
    /// who came (longest stay first), those who said they would and did not (yet), those who
    /// did not answer, then those who can't come; by name within each.
    static func list(_ record: SessionAttendanceRecord, until: Date) -> [AttendanceEntry] {
        let visits = Dictionary(grouping: record.visits, by: \.user)
        var rounds: [UserID: Set<Int>] = [:], conversations: [UserID: Int] = [:]
        for pairing in record.pairings {
            for user in [pairing.memberA, pairing.memberB] {
                rounds[user, default: []].insert(pairing.round)
                conversations[user, default: 0] += 1
            }
        }
        let entries = record.people.filter { $0.role != .organizer }.map { person -> AttendanceEntry in
            let id = person.user.id
            let mine = visits[id] ?? []
            let seconds: TimeInterval? = mine.isEmpty && person.firstEnteredAt == nil ? nil : RoomTime.seconds(mine, until: until)
            return AttendanceEntry(name: person.user.displayName, username: person.user.username,
                                   invitedAt: person.invitation?.invitedAt, openedAt: person.invitation?.openedAt,
                                   answer: person.invitation?.answer, answeredAt: person.invitation?.answeredAt,
                                   roomSeconds: seconds, rounds: rounds[id]?.count ?? 0, conversations: conversations[id] ?? 0)
        }
        return entries.sorted { a, b in
            if a.group != b.group { return a.group < b.group }
            if a.group == 0, a.roomSeconds != b.roomSeconds { return (a.roomSeconds ?? 0) > (b.roomSeconds ?? 0) }
            let byName = a.name.localizedCaseInsensitiveCompare(b.name)
            return byName == .orderedSame ? a.username < b.username : byName == .orderedAscending
        }
    }

    private var group: Int {
        if came { return 0 }
        switch answer {
        case .yes: return 1
        case nil: return 2
        case .no: return 3
        }
    }

    /// The CSV file: the page's columns, with ISO 8601 UTC times and whole minutes.
    static func table(_ entries: [AttendanceEntry]) -> ReportTable {
        let header = ["Name", "Username", "Invited", "Opened the invitation", "Answer", "Answered", "Minutes in the room",
                      "Rounds", "Conversations"]
        return ReportTable(header: header, rows: entries.map { e in
            [e.name, e.username, e.invitedAt.map(ReportTables.iso8601) ?? "", e.openedAt.map(ReportTables.iso8601) ?? "",
             e.answer?.label ?? "", e.answeredAt.map(ReportTables.iso8601) ?? "",
             e.roomSeconds.map { String(RoomTime.minutes($0)) } ?? "", String(e.rounds), String(e.conversations)]
        })
    }
}

/// The organizer's attendance of one session (`/organize/sessions/:id/attendance`): figures,
/// then one row per member.
struct AttendanceModel: Encodable, Equatable {
    struct Figure: Encodable, Equatable {
        var label: String
        var value: Int
        var note: String?
    }

    struct Row: Encodable, Equatable {
        var name: String
        var username: String
        var invited: String
        var opened: String
        var answer: String
        var answerBadge: String
        var answered: String?
        var time: String
        var rounds: String
        var conversations: String
    }

    var id: String
    var title: String
    var when: String
    var status: String
    var badge: String
    var csvPath: String
    var editPath: String
    var figures: [Figure]
    var rows: [Row]
    var empty: Bool
    var nobodyCame: Bool

    init(session: SpeedNetworkingSessionRecord, entries: [AttendanceEntry], now: Date, zone: TimeZone) {
        let status = session.status(at: now)
        id = session.id.uuidString.lowercased()
        (title, when, self.status, badge) = (session.title, session.when(in: zone), status.label, status.badge)
        csvPath = "/organize/sessions/\(id)/attendance.csv"
        editPath = "/organize/sessions/\(id)"
        let invited = entries.filter { $0.invitedAt != nil }.count
        let of = invited > 0 ? "of \(invited) invited" : nil
        figures = [
            Figure(label: "Invited", value: invited, note: nil),
            Figure(label: "Opened the invitation", value: entries.filter { $0.openedAt != nil }.count, note: of),
            Figure(label: "Coming", value: entries.filter { $0.answer == .yes }.count, note: of),
            Figure(label: "Can’t come", value: entries.filter { $0.answer == .no }.count, note: of),
            Figure(label: "Came to the room", value: entries.filter(\.came).count, note: nil),
            Figure(label: "Took part in rounds", value: entries.filter { $0.rounds > 0 }.count, note: nil),
        ]
        func time(_ date: Date?) -> String { date.map { LocalTime.short($0, in: zone) } ?? "—" }
        rows = entries.map { e in
            let minutes = e.roomSeconds.map(RoomTime.minutes)
            return Row(name: e.name, username: e.username, invited: e.invitedAt == nil ? "Not invited" : time(e.invitedAt),
                       opened: time(e.openedAt), answer: e.answer?.label ?? (e.invitedAt == nil ? "—" : "No answer"),
                       answerBadge: e.answer == .yes ? "ok" : e.answer == .no ? "warn" : "",
                       answered: e.answeredAt.map { LocalTime.short($0, in: zone) },
                       time: minutes.map { $0 == 0 ? "under 1 min" : "\($0) min" } ?? "—",
                       rounds: String(e.rounds), conversations: String(e.conversations))
        }
        empty = entries.isEmpty
        nobodyCame = !entries.contains(where: \.came)
    }
}

/// "Will you come?" for one invitation: on the member's session page (signed in) and on the
/// page an emailed link opens (by its token). `confirm` is the answer an emailed answer link
/// asked for: the page then shows just that one button, since opening a link changes nothing.
struct InvitationAnswerModel: Encodable, Equatable {
    var action: String
    var current: String?
    var coming: Bool
    var notComing: Bool
    /// Answers are taken until the session ends (and not for a cancelled one).
    var open: Bool
    var closed: String?
    var confirm: Bool
    var confirmComing: Bool

    init(invitation: InvitationRecord, session: SpeedNetworkingSessionRecord, action: String, now: Date,
         confirm: InvitationAnswer? = nil) {
        self.action = action
        (coming, notComing) = (invitation.answer == .yes, invitation.answer == .no)
        current = switch invitation.answer {
        case .yes: "You said you’ll come."
        case .no: "You said you can’t come."
        case nil: nil
        }
        open = Self.answerable(session, now: now)
        closed = open ? nil : session.isCancelled ? "This session is cancelled." : "This session has ended; answers are closed."
        self.confirm = open && confirm != nil && confirm != invitation.answer
        confirmComing = confirm == .yes
    }

    static func answerable(_ session: SpeedNetworkingSessionRecord, now: Date) -> Bool {
        !session.isCancelled && now < session.endsAt
    }
}

/// The page an emailed invitation link opens (`/sessions/:id/invitation/:token`), without
/// signing anyone in.
struct InvitationPageModel: Encodable, Equatable {
    var title: String
    var when: String
    var status: String
    var badge: String
    var description: String?
    var descriptionText: LinkedText?
    var sessionPath: String
    var answer: InvitationAnswerModel

    init(link: InvitationLinkRecord, session: SpeedNetworkingSessionRecord, path: String, now: Date, confirm: InvitationAnswer?,
         zone: TimeZone) {
        let status = session.status(at: now)
        (title, when, self.status, badge) = (session.title, session.when(in: zone), status.label, status.badge)
        if !session.description.isEmpty {
            description = session.description
            descriptionText = LinkedText(session.description)
        }
        sessionPath = session.path
        answer = InvitationAnswerModel(invitation: link.invitation, session: session, action: path, now: now, confirm: confirm)
    }
}

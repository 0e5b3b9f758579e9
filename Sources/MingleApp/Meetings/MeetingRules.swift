import Foundation
import Store

/// Where a meeting is for the people who see it, from its times: cancelled overrides all; a
/// meeting a host ended, or whose end has passed, is past; one whose start has come (or that a
/// host has already opened) is on now; anything else is upcoming.
enum MeetingPhase: String, Sendable, CaseIterable {
    case now, upcoming, past, cancelled

    init(_ meeting: MeetingRecord, at now: Date) {
        if meeting.cancelledAt != nil {
            self = .cancelled
        } else if meeting.endedAt != nil || now >= meeting.endsAt {
            self = .past
        } else if meeting.startedAt != nil || now >= meeting.startsAt {
            self = .now
        } else {
            self = .upcoming
        }
    }

    var label: String {
        switch self {
        case .now: "now"
        case .upcoming: "upcoming"
        case .past: "over"
        case .cancelled: "cancelled"
        }
    }

    /// The badge class of the stylesheet.
    var badge: String {
        switch self {
        case .now: "ok"
        case .upcoming: "info"
        case .past, .cancelled: "warn"
        }
    }

    /// Whether the room can still be entered (its own page decides the rest).
    var joinable: Bool { self == .now || self == .upcoming }
}

/// Who is looking at meetings of a site, for the rights below: one of its active organizers,
/// one of its active members, or a platform admin acting for it (on the audited path: looks,
/// never hosts).
enum MeetingViewer: Sendable, Equatable {
    case organizer, member, actingAdmin

    init(_ visitor: Visitor) {
        if visitor.membershipStatus == .active {
            self = visitor.role == .organizer ? .organizer : .member
        } else {
            self = .actingAdmin
        }
    }
}

/// Who may host, manage and see meetings (issue 15).
enum MeetingRights {
    /// Organizers host; members too when the site allows it; an acting admin never.
    static func mayHost(_ viewer: MeetingViewer, membersMayHost: Bool) -> Bool {
        switch viewer {
        case .organizer: true
        case .member: membersMayHost
        case .actingAdmin: false
        }
    }

    /// Change, cancel, see the invitation list: the meeting's host (its creator) and the site's organizers.
    static func mayManage(_ meeting: MeetingRecord, _ viewer: MeetingViewer, user: UserID) -> Bool {
        switch viewer {
        case .organizer: true
        case .member: meeting.createdBy == user
        case .actingAdmin: false
        }
    }

    /// Whether the meeting exists for the viewer at all: hosts and organizers, everyone when it
    /// invites every member, and those invited by name; an acting admin looks at all.
    static func maySee(_ meeting: MeetingRecord, _ viewer: MeetingViewer, user: UserID, invitedByName: Bool) -> Bool {
        switch viewer {
        case .organizer, .actingAdmin: true
        case .member: meeting.createdBy == user || meeting.inviteAll || invitedByName
        }
    }
}

/// What a checked meeting form decides: the meeting, and whom to invite by name (empty when
/// it invites every member).
struct MeetingPlan: Equatable {
    var draft: MeetingDraft
    var invitees: [UserID]
}

/// The meeting form as typed: re-shown with every value kept when it is refused. Times are
/// `datetime-local` values read in the chosen zone (as the session form does).
struct MeetingForm: Equatable {
    var title = ""
    var description = ""
    var start = ""
    var end = ""
    var zone = "UTC"
    var waitingRoom = true
    var guestsAllowed = false
    var cap = String(Self.defaultCap)
    /// "all" or "chosen".
    var invite = "chosen"
    /// The ticked members' ids, as posted.
    var invitees: [String] = []
    /// The name filter of the member list (narrows it; ticked members always stay shown).
    var filter = ""

    static let defaultCap = 25
    static let caps = 2...30
    static let maxLength: TimeInterval = 24 * 3600
    /// "Start now" makes a meeting of this length.
    static let quickLength: TimeInterval = 3600

    init() {}

    /// A new meeting's form: tomorrow at the next whole hour in `zone`, an hour long.
    init(zone: TimeZone, now: Date) {
        self.zone = LocalTime.name(zone)
        let hour = (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600
        let start = Date(timeIntervalSince1970: hour + 86_400)
        self.start = LocalTime.inputValue(start, in: zone)
        self.end = LocalTime.inputValue(start.addingTimeInterval(Self.quickLength), in: zone)
    }

    init(_ meeting: MeetingRecord, invitees: [UserID]) {
        let zone = LocalTime.zone(meeting.timeZone)
        (title, description, self.zone) = (meeting.title, meeting.description, meeting.timeZone)
        start = LocalTime.inputValue(meeting.startsAt, in: zone)
        end = LocalTime.inputValue(meeting.endsAt, in: zone)
        (waitingRoom, guestsAllowed, cap) = (meeting.waitingRoom, meeting.guestsAllowed, String(meeting.participantCap))
        invite = meeting.inviteAll ? "all" : "chosen"
        self.invitees = meeting.inviteAll ? [] : invitees.map { $0.uuidString.lowercased() }
    }

    init(_ form: FormData) {
        title = form.text("title")
        description = form.text("description")
        start = form.text("starts_at")
        end = form.text("ends_at")
        zone = form.text("time_zone")
        waitingRoom = form["waiting_room"] == "on"
        guestsAllowed = form["guests_allowed"] == "on"
        cap = form.text("participant_cap")
        invite = form.text("invite")
        invitees = form.all("invitee").reduce(into: []) { if !$0.contains($1.lowercased()) { $0.append($1.lowercased()) } }
        filter = String(form.text("filter").prefix(100))
    }

    /// The checked form: the plan to store, or every problem found, each at its field.
    /// `activeMembers` are those who may be invited; `current` is the meeting being changed
    /// (its start may stay where it is even once it has passed).
    func validated(now: Date, activeMembers: Set<UserID>, current: MeetingRecord? = nil) -> Result<MeetingPlan, SessionFormErrors> {
        var problems = FormProblems()
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty || title.unicodeScalars.count > 120 { problems.add("title", "Give the meeting a title of 1–120 characters.") }
        if description.unicodeScalars.count > 5000 {
            problems.add("description", "The description can be at most 5,000 characters; this one has \(description.unicodeScalars.count.formatted()).")
        }
        if LocalTime.known(zone) == nil { problems.add("time_zone", "Choose the time zone of the start and end from the list.") }
        let timeZone = LocalTime.zone(zone)
        let startsAt = problems.instant(start, "start", field: "starts_at", in: timeZone, zoneName: zone)
        let endsAt = problems.instant(end, "end", field: "ends_at", in: timeZone, zoneName: zone)
        if let startsAt, startsAt <= now, startsAt != current?.startsAt {
            problems.add("starts_at", "The start must be in the future (to meet at once, use “Start now”).")
        }
        if let startsAt, let endsAt {
            if endsAt <= startsAt {
                problems.add("ends_at", "The end must come after the start.")
            } else if endsAt.timeIntervalSince(startsAt) > Self.maxLength {
                problems.add("ends_at", "A meeting can last at most 24 hours.")
            }
        }
        let participantCap = Int(cap).flatMap { Self.caps.contains($0) ? $0 : nil }
        if participantCap == nil {
            problems.add("participant_cap", "The number of participants is a whole number from \(Self.caps.lowerBound) to \(Self.caps.upperBound).")
        }
        if invite != "all" && invite != "chosen" { problems.add("invite", "Choose whom to invite: every member, or the members you tick.") }
        var chosen: [UserID] = []
        if invite == "chosen" {
            for text in invitees {
                guard let id = UUID(uuidString: text), activeMembers.contains(id) else {
                    problems.add("invitees", "Someone you ticked is no longer an active member here; tick the members again.")
                    break
                }
                chosen.append(id)
            }
        }
        guard problems.isEmpty, let startsAt, let endsAt, let participantCap else { return .failure(SessionFormErrors(problems: problems)) }
        let draft = MeetingDraft(title: title, description: description, startsAt: startsAt, endsAt: endsAt, timeZone: zone,
                                 waitingRoom: waitingRoom, guestsAllowed: guestsAllowed, participantCap: participantCap,
                                 inviteAll: invite == "all")
        return .success(MeetingPlan(draft: draft, invitees: chosen))
    }

    /// "Start now": a meeting from `now`, an hour long, nobody invited by name (the link is shared).
    static func quick(title: String, now: Date, zone: String) -> MeetingDraft {
        MeetingDraft(title: title, description: "", startsAt: now, endsAt: now.addingTimeInterval(quickLength), timeZone: zone)
    }

    /// Whether a member's name matches the filter: every word of it, case and accents ignored.
    static func matches(_ name: String, username: String, filter: String) -> Bool {
        let words = filter.split(whereSeparator: \.isWhitespace)
        let haystack = "\(name) \(username)".folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        return words.allSatisfy { haystack.contains($0.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)) }
    }
}

extension MeetingRecord {
    var isCancelled: Bool { cancelledAt != nil }
    /// Its page on the site.
    var path: String { "/meetings/\(id.uuidString.lowercased())" }
    /// The room (the lead's page).
    var roomPath: String { "/m/\(linkToken)" }
    func phase(at now: Date) -> MeetingPhase { MeetingPhase(self, at: now) }
    func when(in reader: TimeZone) -> String { LocalTime.describe(start: startsAt, end: endsAt, in: reader) }
}

import Foundation
import Store

/// One meeting as a row of `/meetings`.
struct MeetingRowModel: Encodable, Equatable {
    var title: String
    var when: String
    var status: String
    var badge: String
    var cancelled: Bool
    var path: String
    var roomPath: String
    var joinable: Bool
    var host: String

    init(_ meeting: MeetingRecord, now: Date, zone: TimeZone, hostName: String) {
        let phase = meeting.phase(at: now)
        (title, when, path, roomPath) = (meeting.title, meeting.when(in: zone), meeting.path, meeting.roomPath)
        (status, badge, cancelled, joinable, host) = (phase.label, phase.badge, meeting.isCancelled, phase == .now, hostName)
    }
}

/// `/meetings`: what is on now, what is to come and what is over, for whoever looks (hosts
/// and organizers see what they manage, members what they are invited to). Cancelled meetings
/// stay in the section of their time, marked.
struct MeetingsModel: Encodable, Equatable {
    var now: [MeetingRowModel]
    var upcoming: [MeetingRowModel]
    var past: [MeetingRowModel]
    var empty: Bool
    var mayHost: Bool
    var quickTitle: String

    init(_ meetings: [MeetingRecord], now: Date, zone: TimeZone, names: [UserID: String], mayHost: Bool, myName: String) {
        var sections: [MeetingPhase: [MeetingRecord]] = [:]
        for meeting in meetings {
            var uncancelled = meeting
            uncancelled.cancelledAt = nil
            let phase = uncancelled.phase(at: now)
            sections[meeting.isCancelled && phase == .now ? .upcoming : phase, default: []].append(meeting)
        }
        func rows(_ phase: MeetingPhase, latestFirst: Bool) -> [MeetingRowModel] {
            (sections[phase] ?? []).sorted { latestFirst ? $0.startsAt > $1.startsAt : $0.startsAt < $1.startsAt }
                .map { MeetingRowModel($0, now: now, zone: zone, hostName: names[$0.createdBy] ?? "a former member") }
        }
        self.now = rows(.now, latestFirst: false)
        upcoming = rows(.upcoming, latestFirst: false)
        past = rows(.past, latestFirst: true)
        empty = meetings.isEmpty
        self.mayHost = mayHost
        quickTitle = MeetingsModel.quickTitle(myName)
    }

    /// The title "Start now" gives a meeting.
    static func quickTitle(_ name: String) -> String { String("\(name)’s meeting".prefix(120)) }
}

/// A meeting's own page (`/meetings/<id>`): when (in the viewer's zone), what, who hosts,
/// its settings, its link to copy and to join; for those who manage it, what they can do and
/// who is invited.
struct MeetingDetailsModel: Encodable, Equatable {
    var title: String
    var when: String
    var status: String
    var badge: String
    var cancelled: Bool
    var over: Bool
    var descriptionText: LinkedText?
    var host: String
    var waitingRoom: String
    var guests: String
    var cap: String
    var locked: Bool
    var link: String
    var roomPath: String
    var joinable: Bool
    var path: String
    var manage: Bool
    var changeable: Bool
    var inviteAll: Bool
    var invited: [String]
    var hasInvited: Bool
    var invitedCount: String

    init(_ meeting: MeetingRecord, now: Date, zone: TimeZone, siteURL: String, hostName: String, manage: Bool, invited: [String]) {
        let phase = meeting.phase(at: now)
        (title, when, status, badge) = (meeting.title, meeting.when(in: zone), phase.label, phase.badge)
        (cancelled, over, path, roomPath) = (meeting.isCancelled, phase == .past, meeting.path, meeting.roomPath)
        descriptionText = meeting.description.isEmpty ? nil : LinkedText(meeting.description)
        host = hostName
        waitingRoom = meeting.waitingRoom ? "On: a host lets each person in" : "Off: invited members come straight in"
        guests = meeting.guestsAllowed ? "Allowed: people with the link may join with a name only, through the waiting room"
            : "Not allowed: only this site’s members"
        cap = SessionsController.count(meeting.participantCap, "person", "people") + " at most"
        locked = meeting.locked
        link = siteURL + meeting.roomPath
        joinable = phase.joinable
        self.manage = manage
        changeable = manage && phase.joinable
        inviteAll = meeting.inviteAll
        self.invited = invited
        hasInvited = !invited.isEmpty
        invitedCount = SessionsController.count(invited.count, "member", "members")
    }
}

/// The meeting form (`/meetings/new`, `/meetings/<id>/edit`): the typed values, every problem
/// at its field, the zones, and the site's active members to tick, narrowed by the name filter
/// (ticked ones always stay in the list).
struct MeetingFormModel: Encodable, Equatable {
    struct Member: Encodable, Equatable {
        var id: String
        var name: String
        var username: String
        var checked: Bool
    }

    var problems: FormProblems
    var editing: Bool
    var action: String
    var backPath: String
    var title: String
    var description: String
    var start: String
    var end: String
    var zones: [SessionFormModel.Zone]
    var waitingRoom: Bool
    var guestsAllowed: Bool
    var cap: String
    var minCap: Int
    var maxCap: Int
    var inviteAll: Bool
    var filter: String
    var members: [Member]
    var hiddenByFilter: String?
    var noMembers: Bool
    var locked: Bool

    init(form: MeetingForm, problems: FormProblems, meeting: MeetingRecord?, members: [UserRecord]) {
        self.problems = problems
        editing = meeting != nil
        action = meeting?.path ?? "/meetings"
        backPath = meeting?.path ?? "/meetings"
        (title, description, start, end) = (form.title, form.description, form.start, form.end)
        zones = SessionFormModel.Zone.choices(selected: form.zone)
        (waitingRoom, guestsAllowed, cap) = (form.waitingRoom, form.guestsAllowed, form.cap)
        (minCap, maxCap) = (MeetingForm.caps.lowerBound, MeetingForm.caps.upperBound)
        inviteAll = form.invite == "all"
        filter = form.filter
        let ticked = Set(form.invitees)
        let all = members.sorted { ($0.displayName.lowercased(), $0.username) < ($1.displayName.lowercased(), $1.username) }
            .map { Member(id: $0.id.uuidString.lowercased(), name: $0.displayName, username: $0.username,
                          checked: ticked.contains($0.id.uuidString.lowercased())) }
        self.members = all.filter { $0.checked || MeetingForm.matches($0.name, username: $0.username, filter: form.filter) }
        let hidden = all.count - self.members.count
        hiddenByFilter = hidden > 0 ? "\(SessionsController.count(hidden, "member does", "members do")) not match “\(form.filter)”." : nil
        noMembers = members.isEmpty
        locked = meeting?.locked ?? false
    }
}

import Foundation
import Hummingbird
import Outbound
import Store

/// Everything about meetings outside their room (issue 15): the list, "Start now", the
/// schedule and edit form with its invitations, cancelling, a meeting's page with its link,
/// its "Add to calendar" file, and the organizers' "Members may host meetings" setting.
/// The room itself, `/m/<link token>`, is `MeetingRoomController`.
struct MeetingsController {
    let app: AppServices

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let members = router.group("/meetings", context: MemberRequestContext.self)
        members.get("", use: list)
        members.get("/new", use: newForm)
        members.post("", use: create)
        members.post("/start", use: startNow)
        members.get("/:id", use: show)
        members.get("/:id/edit", use: editForm)
        members.post("/:id", use: update)
        members.post("/:id/cancel", use: cancel)
        members.get("/:id/calendar.ics", use: download)
        router.group("/organize", context: OrganizerRequestContext.self).post("/membership/meetings", use: saveHosting)
    }

    static let gone = "There is no such meeting here."

    // MARK: list

    @Sendable func list(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let viewer = MeetingViewer(context.visitor), me = context.visitor.userID, tenant = context.tenant.id
        let now = Date()
        let (meetings, names, mayHost) = try await app.asMember(context, action: "list meetings") { tx in
            let meetings = try await tx.meetings(visibleTo: me, everything: viewer != .member,
                                                 endingAfter: now.addingTimeInterval(-SessionsController.feedHistory))
            return (meetings, try await Self.names(tx),
                    MeetingRights.mayHost(viewer, membersMayHost: try await tx.membersMayHost(tenant: tenant)))
        }
        let model = MeetingsModel(meetings, now: now, zone: context.viewerZone, names: names, mayHost: mayHost,
                                  myName: names[me] ?? context.visitor.username)
        return try app.views.page("meetings", context, title: "Meetings", model: model)
    }

    /// Display names of the site's people, by id.
    static func names(_ tx: Transaction) async throws -> [UserID: String] {
        Dictionary(try await tx.members().map { ($0.user.id, $0.user.displayName) }, uniquingKeysWith: { first, _ in first })
    }

    /// The site's active people one may invite: everyone but the host.
    static func invitable(_ tx: Transaction, host: UserID) async throws -> [UserRecord] {
        try await tx.members().filter { $0.status == .active && $0.user.id != host }.map(\.user)
    }

    // MARK: one meeting

    /// The meeting of the path if the visitor may see it; 404 otherwise (another tenant's id
    /// finds nothing under RLS; a member neither hosting nor invited is told the same).
    private func visible(_ tx: Transaction, _ id: UUID, _ context: MemberRequestContext, lock: Bool = false) async throws -> MeetingRecord? {
        let me = context.visitor.userID
        guard let meeting = try await (lock ? tx.meetingForUpdate(id) : tx.meeting(id)) else { return nil }
        var invited = false
        if MeetingViewer(context.visitor) == .member { invited = try await tx.isInvitedToMeeting(id, user: me) }
        return MeetingRights.maySee(meeting, MeetingViewer(context.visitor), user: me, invitedByName: invited) ? meeting : nil
    }

    private func meetingID(_ context: MemberRequestContext) throws -> UUID { try context.parameters.rowID(notFound: Self.gone) }

    @Sendable func show(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let id = try meetingID(context), viewer = MeetingViewer(context.visitor), me = context.visitor.userID
        let found = try await app.asMember(context, action: "view meeting") { tx -> (MeetingRecord, [UserID: String], [UserID])? in
            guard let meeting = try await visible(tx, id, context) else { return nil }
            var invited: [UserID] = []
            if MeetingRights.mayManage(meeting, viewer, user: me) || viewer == .actingAdmin {
                invited = try await tx.meetingInvitations(id).map(\.user)
            }
            return (meeting, try await Self.names(tx), invited)
        }
        guard let (meeting, names, invited) = found else { throw HTTPError(.notFound, message: Self.gone) }
        let model = MeetingDetailsModel(meeting, now: Date(), zone: context.viewerZone,
                                        siteURL: app.config.baseURL(tenantSlug: context.tenant.slug),
                                        hostName: names[meeting.createdBy] ?? "a former member",
                                        manage: MeetingRights.mayManage(meeting, viewer, user: me),
                                        invited: invited.compactMap { names[$0] }.sorted())
        return try app.views.page("meeting", context, title: meeting.title, model: model)
    }

    /// The meeting as a calendar file (METHOD:PUBLISH), for "Add to calendar".
    @Sendable func download(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let id = try meetingID(context)
        guard let meeting = try await app.asMember(context, action: "download meeting calendar", { try await visible($0, id, context) }) else {
            throw HTTPError(.notFound, message: Self.gone)
        }
        let text = ICalendar.feed([app.meetingAnnouncer.event(tenant: context.tenant, meeting: meeting)],
                                  name: "\(context.tenant.name): \(meeting.title)", productID: MeetingAnnouncer.productID)
        return SessionsController.calendar(text, attachment: "meeting-\(meeting.id.uuidString.lowercased().prefix(8)).ics")
    }

    // MARK: create

    /// Hosting needs the right (organizers; members when the site allows it), checked in `tx`.
    private func requireHost(_ tx: Transaction, _ context: MemberRequestContext) async throws {
        let allowed = try await tx.membersMayHost(tenant: context.tenant.id)
        guard MeetingRights.mayHost(MeetingViewer(context.visitor), membersMayHost: allowed) else {
            throw HTTPError(.forbidden, message: "Meetings here are hosted by the site’s organizers. Ask them to set one up, or to let members host.")
        }
    }

    @Sendable func newForm(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let me = context.visitor.userID
        let members = try await app.asMember(context, action: "new meeting form") { tx in
            try await requireHost(tx, context)
            return try await Self.invitable(tx, host: me)
        }
        var form = MeetingForm(zone: LocalTime.zone(context.tenant.timeZone), now: Date())
        form.filter = String((request.queryValue("filter") ?? "").prefix(100))
        return try formPage(context, form: form, meeting: nil, members: members, problems: FormProblems())
    }

    private func formPage(_ context: MemberRequestContext, form: MeetingForm, meeting: MeetingRecord?, members: [UserRecord],
                          problems: FormProblems, status: HTTPResponse.Status = .ok) throws -> Response {
        try app.views.page("meeting_form", context, title: meeting.map { "Change “\($0.title)”" } ?? "Schedule a meeting",
                           model: MeetingFormModel(form: form, problems: problems, meeting: meeting, members: members), status: status)
    }

    private enum Outcome: Sendable {
        case saved(MeetingRecord, told: Int, withdrawn: Int)
        /// Shown again: with problems (422), or narrowed by the name filter (200).
        case again(FormProblems, [UserRecord], MeetingRecord?)
    }

    /// The form's "Filter" button posts everything typed so far; the page comes back with it all.
    private static func filtering(_ context: MemberRequestContext) -> Bool { context.form["action"] == "filter" }

    @Sendable func create(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let form = MeetingForm(context.form)
        let tenant = context.tenant, me = context.visitor.userID, announcer = app.meetingAnnouncer
        let filtering = Self.filtering(context)
        let outcome = try await app.asMember(context, action: "schedule meeting") { tx -> Outcome in
            try await requireHost(tx, context)
            let members = try await Self.invitable(tx, host: me)
            if filtering { return .again(FormProblems(), members, nil) }
            switch form.validated(now: Date(), activeMembers: Set(members.map(\.id))) {
            case .failure(let refusal):
                return .again(refusal.problems, members, nil)
            case .success(let plan):
                let meeting = try await tx.createMeeting(tenant: tenant.id, host: me, linkToken: Tokens.meetingLink(), plan.draft)
                let told = try await announcer.scheduled(tx, tenant: tenant, host: me, meeting: meeting, chosen: plan.invitees)
                return .saved(meeting, told: told, withdrawn: 0)
            }
        }
        switch outcome {
        case .again(let problems, let members, _):
            return try formPage(context, form: form, meeting: nil, members: members, problems: problems,
                                status: problems.isEmpty ? .ok : .unprocessableContent)
        case .saved(let meeting, let told, _):
            return app.redirect(to: meeting.path, flash: "“\(meeting.title)” is scheduled for \(meeting.when(in: context.viewerZone)). "
                                + Self.told(told, "were invited by message and email", "was invited by message and email"))
        }
    }

    static func told(_ count: Int, _ plural: String, _ singular: String) -> String {
        switch count {
        case 0: "Nobody is invited by name yet: share the link."
        case 1: "1 member \(singular)."
        default: "\(count) members \(plural)."
        }
    }

    /// "Start now": a meeting from now, an hour long, and straight into its room.
    @Sendable func startNow(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let tenant = context.tenant, me = context.visitor.userID
        let typed = context.form.text("title").trimmingCharacters(in: .whitespacesAndNewlines)
        let meeting = try await app.asMember(context, action: "start meeting") { tx in
            try await requireHost(tx, context)
            var title = String(typed.prefix(120))
            if title.isEmpty { title = MeetingsModel.quickTitle(try await tx.user(me)?.displayName ?? context.visitor.username) }
            return try await tx.createMeeting(tenant: tenant.id, host: me, linkToken: Tokens.meetingLink(),
                                              MeetingForm.quick(title: title, now: Date(), zone: tenant.timeZone))
        }
        return app.redirect(to: meeting.roomPath)
    }

    // MARK: change and cancel

    /// The meeting of the path for someone who may manage it: 404 if they may not see it, 403
    /// if they see it but do not manage it.
    private func managed(_ tx: Transaction, _ id: UUID, _ context: MemberRequestContext, lock: Bool) async throws -> MeetingRecord {
        guard let meeting = try await visible(tx, id, context, lock: lock) else { throw HTTPError(.notFound, message: Self.gone) }
        guard MeetingRights.mayManage(meeting, MeetingViewer(context.visitor), user: context.visitor.userID) else {
            throw HTTPError(.forbidden, message: "Only the meeting’s host and the site’s organizers can change it.")
        }
        return meeting
    }

    private static func unchangeable(_ meeting: MeetingRecord) -> String? {
        switch meeting.phase(at: Date()) {
        case .cancelled: "This meeting is cancelled; it can no longer be changed."
        case .past: "This meeting is over; it can no longer be changed."
        case .now, .upcoming: nil
        }
    }

    @Sendable func editForm(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let id = try meetingID(context)
        let (meeting, invited, members) = try await app.asMember(context, action: "edit meeting") { tx in
            let meeting = try await managed(tx, id, context, lock: false)
            return (meeting, try await tx.meetingInvitations(id).map(\.user), try await Self.invitable(tx, host: meeting.createdBy))
        }
        if let reason = Self.unchangeable(meeting) { throw HTTPError(.conflict, message: reason) }
        var form = MeetingForm(meeting, invitees: invited)
        form.filter = String((request.queryValue("filter") ?? "").prefix(100))
        return try formPage(context, form: form, meeting: meeting, members: members, problems: FormProblems())
    }

    @Sendable func update(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let id = try meetingID(context)
        let form = MeetingForm(context.form)
        let tenant = context.tenant, me = context.visitor.userID, announcer = app.meetingAnnouncer
        let filtering = Self.filtering(context)
        let outcome = try await app.asMember(context, action: "change meeting") { tx -> Outcome in
            let current = try await managed(tx, id, context, lock: true)
            if let reason = Self.unchangeable(current) { throw HTTPError(.conflict, message: reason) }
            let members = try await Self.invitable(tx, host: current.createdBy)
            if filtering { return .again(FormProblems(), members, current) }
            switch form.validated(now: Date(), activeMembers: Set(members.map(\.id)), current: current) {
            case .failure(let refusal):
                return .again(refusal.problems, members, current)
            case .success(let plan):
                guard let meeting = try await tx.updateMeeting(id, plan.draft) else { throw HTTPError(.conflict, message: Self.gone) }
                let (told, withdrawn) = try await announcer.updated(tx, tenant: tenant, host: me, meeting: meeting, chosen: plan.invitees)
                return .saved(meeting, told: told, withdrawn: withdrawn)
            }
        }
        switch outcome {
        case .again(let problems, let members, let current):
            return try formPage(context, form: form, meeting: current, members: members, problems: problems,
                                status: problems.isEmpty ? .ok : .unprocessableContent)
        case .saved(let meeting, let told, let withdrawn):
            let gone = withdrawn == 0 ? "" : " " + SessionsController.count(withdrawn, "member no longer invited was", "members no longer invited were")
                + " sent a cancellation."
            return app.redirect(to: meeting.path, flash: "“\(meeting.title)” is saved: \(meeting.when(in: context.viewerZone)). "
                                + Self.told(told, "were sent the updated invitation", "was sent the updated invitation") + gone)
        }
    }

    @Sendable func cancel(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let id = try meetingID(context)
        let tenant = context.tenant, me = context.visitor.userID, announcer = app.meetingAnnouncer
        let (meeting, told) = try await app.asMember(context, action: "cancel meeting") { tx in
            let current = try await managed(tx, id, context, lock: true)
            if let reason = Self.unchangeable(current) { throw HTTPError(.conflict, message: reason) }
            guard let meeting = try await tx.cancelMeeting(id) else { throw HTTPError(.conflict, message: Self.gone) }
            return (meeting, try await announcer.cancelled(tx, tenant: tenant, host: me, meeting: meeting))
        }
        return app.redirect(to: "/meetings", flash: "“\(meeting.title)” is cancelled. "
                            + (told == 0 ? "Nobody held an invitation." : Self.told(told, "holding an invitation were told", "holding an invitation was told")))
    }

    // MARK: the site's setting

    /// "Members may host meetings", from the organizer portal's membership page.
    @Sendable func saveHosting(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let allowed = context.form["members_may_host"] == "on", tenant = context.tenant.id
        try await app.asOrganizer(context, action: "save meeting hosting") { try await $0.setMembersMayHost(tenant: tenant, allowed) }
        return app.redirect(to: "/organize/membership#meetings", flash: allowed
            ? "Saved. Members may now schedule and start meetings; you can still manage every meeting."
            : "Saved. Only organizers can now schedule and start meetings; meetings members already host stay theirs.")
    }
}

extension AppServices {
    var meetingAnnouncer: MeetingAnnouncer { MeetingAnnouncer(core: announcer.core) }
}

import Foundation
import SpeedNetworking
import Store

/// One session as the organizer's lists show it: where it is in its timeline and what they may do.
struct OrganizerSessionRow: Encodable, Equatable {
    var id: String
    var title: String
    var when: String
    var status: String
    var badge: String
    var cancelled: Bool
    var roomOpen: Bool
    var changeable: Bool
    var livePath: String
    var path: String
    var round: String
    var questions: String
    var attendancePath: String
    /// "3 coming · 1 can’t come · 12 invited"; nil when nobody was invited.
    var answers: String?

    init(_ session: SpeedNetworkingSessionRecord, now: Date, zone: TimeZone, counts: InvitationCounts? = nil) {
        let status = session.status(at: now)
        (id, title, when) = (session.id.uuidString.lowercased(), session.title, session.when(in: zone))
        (self.status, badge, cancelled) = (status.label, status.badge, session.isCancelled)
        (roomOpen, changeable) = (session.roomOpen(at: now), session.changeable(at: now))
        (livePath, path) = (session.path + "/live", session.path)
        round = "\(session.roundSeconds / 60) min rounds"
        questions = SessionsController.count(session.survey.count, "survey question", "survey questions")
        attendancePath = "/organize/sessions/\(id)/attendance"
        answers = counts.flatMap { $0.invited > 0 ? Self.answers($0) : nil }
    }

    static func answers(_ counts: InvitationCounts) -> String {
        "\(counts.coming) coming · \(counts.notComing) can’t come · \(SessionsController.count(counts.invited, "invited", "invited"))"
    }
}

/// The organizer's sessions (`/organize/sessions`): those not yet ended, then the past ones, latest first.
struct OrganizerSessionsModel: Encodable, Equatable {
    var upcoming: [OrganizerSessionRow]
    var noUpcoming: Bool
    var past: [OrganizerSessionRow]
    var hasPast: Bool

    /// `sessions` earliest first, as the store lists them; `counts` their invitations' answers.
    init(sessions: [SpeedNetworkingSessionRecord], now: Date, zone: TimeZone, counts: [UUID: InvitationCounts] = [:]) {
        let row = { (session: SpeedNetworkingSessionRecord) in
            OrganizerSessionRow(session, now: now, zone: zone, counts: counts[session.id] ?? InvitationCounts())
        }
        upcoming = sessions.filter { $0.endsAt > now }.map(row)
        past = sessions.filter { $0.endsAt <= now }.reversed().map(row)
        (noUpcoming, hasPast) = (upcoming.isEmpty, !past.isEmpty)
    }
}

/// The session form (`/organize/sessions/new`, `/organize/sessions/:id`): the fields as typed,
/// the zones, the question catalogue with what is ticked; for a stored session also its state,
/// and why it can no longer be changed once it is cancelled or its lobby has opened.
struct SessionFormModel: Encodable, Equatable {
    struct Zone: Encodable, Equatable {
        var name: String
        var selected: Bool

        /// Every zone of a form's select, `selected` chosen (the session and meeting forms).
        static func choices(selected: String) -> [Zone] {
            LocalTime.choices(selected: selected).map { Zone(name: $0, selected: $0 == selected) }
        }
    }

    struct Question: Encodable, Equatable {
        var key: String
        var prompt: String
        var kind: String
        var source: String
        var optional: Bool
        var checked: Bool
        var position: String
    }

    var title: String
    var description: String
    var start: String
    var end: String
    var round: String
    var maxRound: Int
    var zones: [Zone]
    var questions: [Question]
    var problems: FormProblems
    var id: String?
    var editing: Bool
    var session: OrganizerSessionRow?
    var locked: String?

    static let cancelledText = "This session is cancelled; it can no longer be changed."
    static let lobbyOpenText = "The lobby of this session has opened, so its times, rounds and survey can no longer be changed or the session cancelled."

    /// `session` is the stored session being edited, nil for a new one.
    init(form: SessionForm, catalogue: OrganizerSessionsController.Catalogue, problems: FormProblems,
         session: SpeedNetworkingSessionRecord?, now: Date, zone: TimeZone, counts: InvitationCounts? = nil) {
        (title, description, start, end, round) = (form.title, form.description, form.start, form.end, form.roundMinutes)
        maxRound = SessionForm.maxRoundMinutes
        zones = Zone.choices(selected: form.zone)
        questions = catalogue.map { item in
            let q = item.question
            return Question(key: q.key, prompt: q.prompt, kind: q.kindDescription, source: item.source,
                            optional: !q.required, checked: form.picked.contains(q.key), position: form.positions[q.key] ?? "")
        }
        self.problems = problems
        id = session.map { $0.id.uuidString.lowercased() }
        editing = session != nil
        self.session = session.map { OrganizerSessionRow($0, now: now, zone: zone, counts: counts) }
        locked = session.flatMap { session in
            session.changeable(at: now) ? nil : session.isCancelled ? Self.cancelledText : Self.lobbyOpenText
        }
    }
}

/// The organizer's own survey questions (`/organize/questions`), the form for a new one, and
/// the standard bank.
struct SurveyQuestionsModel: Encodable, Equatable {
    struct Own: Encodable, Equatable {
        var id: String
        var prompt: String
        var kind: String
        var optional: Bool
    }

    struct Standard: Encodable, Equatable {
        var prompt: String
        var kind: String
        var optional: Bool
    }

    struct Form: Encodable, Equatable {
        var prompt: String
        var low: String
        var high: String
        var options: String
        var maxLength: String
        var required: Bool
        var asksToConnect: Bool
        var kinds: [KindOption]
    }

    var own: [Own]
    var noOwn: Bool
    var form: Form
    var errors: [String]
    var hasErrors: Bool
    var bank: [Standard]

    /// Stored questions whose definition does not decode are left out.
    init(own: [OwnSurveyQuestion], form: QuestionForm, errors: [String], bank: [SurveyQuestion] = SurveyBank.questions) {
        self.own = own.compactMap { item in
            SurveyQuestion.decode(item.definitionJSON).map {
                Own(id: item.id.uuidString.lowercased(), prompt: $0.prompt, kind: $0.kindDescription, optional: !$0.required)
            }
        }
        noOwn = self.own.isEmpty
        self.form = Form(prompt: form.prompt, low: form.low, high: form.high, options: form.options, maxLength: form.maxLength,
                         required: form.required, asksToConnect: form.asksToConnect,
                         kinds: KindOption.list(QuestionForm.kinds, selected: form.kind))
        (self.errors, hasErrors) = (errors, !errors.isEmpty)
        self.bank = bank.map { Standard(prompt: $0.prompt, kind: $0.kindDescription, optional: !$0.required) }
    }
}

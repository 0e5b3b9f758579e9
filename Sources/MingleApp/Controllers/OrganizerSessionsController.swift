import Foundation
import Hummingbird
import SpeedNetworking
import Store

/// The organizer portal's live sessions: schedule, change and cancel sessions (members are
/// told by message and email with an invitation), and the tenant's own survey questions.
struct OrganizerSessionsController {
    let app: AppServices

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let portal = router.group("/organize", context: OrganizerRequestContext.self)
        portal.get("/sessions", use: list)
        portal.get("/sessions/new", use: newForm)
        portal.post("/sessions", use: create)
        portal.get("/sessions/:id", use: editForm)
        portal.post("/sessions/:id", use: update)
        portal.post("/sessions/:id/cancel", use: cancel)
        portal.get("/questions", use: questions)
        portal.post("/questions", use: addQuestion)
        portal.post("/questions/:id/archive", use: archiveQuestion)
    }

    typealias Catalogue = [(question: SurveyQuestion, source: String)]

    /// What the organizer may pick from: the standard bank and their own questions; a session's
    /// frozen copy stands in for a question of the same key, and frozen questions that are no
    /// longer offered (an archived own question) stay available to the session that has them.
    static func catalogue(_ tx: Transaction, session: SpeedNetworkingSessionRecord?) async throws -> Catalogue {
        let frozen = session?.survey ?? []
        let own = try await tx.ownSurveyQuestions().compactMap { SurveyQuestion.decode($0.definitionJSON) }
        var items: Catalogue = SurveyBank.questions.map { ($0, "Standard") } + own.map { ($0, "Your question") }
        for (index, item) in items.enumerated() {
            if let copy = frozen.first(where: { $0.key == item.question.key }) { items[index].question = copy }
        }
        let offered = Set(items.map(\.question.key))
        return items + frozen.filter { !offered.contains($0.key) }.map { ($0, "Kept for this session") }
    }

    /// Scheduling speaks for the organizer to every member, so it needs a real organizer of
    /// this site (an acting platform admin can look, not announce).
    private func requireOwnOrganizer(_ context: OrganizerRequestContext) throws {
        guard context.visitor.role == .organizer else {
            throw HTTPError(.forbidden, message: "Sessions are scheduled by the site's own organizers.")
        }
    }

    // MARK: list

    @Sendable func list(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let (sessions, counts) = try await app.asOrganizer(context, action: "list sessions") {
            (try await $0.speedNetworkingSessions(), try await $0.invitationCounts())
        }
        return try app.views.page("organize/sessions", context, title: "Live sessions",
                                  model: OrganizerSessionsModel(sessions: sessions, now: Date(), zone: context.viewerZone, counts: counts))
    }

    // MARK: create

    @Sendable func newForm(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let catalogue = try await app.asOrganizer(context, action: "new session form") { try await Self.catalogue($0, session: nil) }
        var form = SessionForm()
        form.zone = context.tenant.timeZone
        form.picked = ["conversation-quality", "would-connect", "follow-up"]
        for (index, key) in form.picked.enumerated() { form.positions[key] = String(index + 1) }
        return try formPage(context, form: form, catalogue: catalogue, session: nil, problems: FormProblems())
    }

    private func formPage(_ context: OrganizerRequestContext, form: SessionForm, catalogue: Catalogue,
                          session: SpeedNetworkingSessionRecord?, problems: FormProblems, status: HTTPResponse.Status = .ok,
                          counts: InvitationCounts? = nil) throws -> Response {
        let title = session.map { "Session: \($0.title)" } ?? "Schedule a session"
        return try app.views.page("organize/session_form", context, title: title,
                                  model: SessionFormModel(form: form, catalogue: catalogue, problems: problems, session: session, now: Date(),
                                                          zone: context.viewerZone, counts: counts),
                                  status: status)
    }

    private enum Outcome: Sendable {
        case saved(SpeedNetworkingSessionRecord, told: Int)
        case refused(FormProblems, Catalogue, SpeedNetworkingSessionRecord?)
    }

    @Sendable func create(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try requireOwnOrganizer(context)
        let form = SessionForm(context.form)
        let tenant = context.tenant, me = context.visitor.userID, announcer = app.announcer
        let outcome = try await app.asOrganizer(context, action: "schedule session") { tx -> Outcome in
            let catalogue = try await Self.catalogue(tx, session: nil)
            switch form.validated(now: Date(), catalogue: catalogue.map(\.question)) {
            case .failure(let refusal):
                return .refused(refusal.problems, catalogue, nil)
            case .success(let draft):
                let id = try await tx.insertSpeedNetworkingSession(tenant: tenant.id, draft, createdBy: me)
                guard let session = try await tx.speedNetworkingSession(id) else { throw HTTPError(.internalServerError) }
                let told = try await announcer.scheduled(tx, tenant: tenant, organizer: me, session: session)
                return .saved(session, told: told)
            }
        }
        switch outcome {
        case .refused(let problems, let catalogue, _):
            return try formPage(context, form: form, catalogue: catalogue, session: nil, problems: problems, status: .unprocessableContent)
        case .saved(let session, let told):
            return app.redirect(to: "/organize/sessions", flash: "“\(session.title)” is scheduled for \(session.when(in: context.viewerZone)). "
                                + Self.told(told, "were invited by message and email", "was invited by message and email"))
        }
    }

    static func told(_ count: Int, _ plural: String, _ singular: String) -> String {
        switch count {
        case 0: "There are no active members to tell yet."
        case 1: "1 member \(singular)."
        default: "\(count) members \(plural)."
        }
    }

    // MARK: edit

    private func sessionID(_ context: OrganizerRequestContext) throws -> UUID {
        try context.parameters.rowID(notFound: "There is no such session.")
    }

    @Sendable func editForm(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let id = try sessionID(context)
        let found = try await app.asOrganizer(context, action: "view session") { tx -> (SpeedNetworkingSessionRecord, Catalogue, InvitationCounts)? in
            guard let session = try await tx.speedNetworkingSession(id) else { return nil }
            return (session, try await Self.catalogue(tx, session: session), try await tx.invitationCounts()[id] ?? InvitationCounts())
        }
        guard let (session, catalogue, counts) = found else { throw HTTPError(.notFound, message: "There is no such session.") }
        return try formPage(context, form: SessionForm(session), catalogue: catalogue, session: session, problems: FormProblems(), counts: counts)
    }

    @Sendable func update(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try requireOwnOrganizer(context)
        let id = try sessionID(context)
        let form = SessionForm(context.form)
        let tenant = context.tenant, me = context.visitor.userID, announcer = app.announcer
        let outcome = try await app.asOrganizer(context, action: "change session") { tx -> Outcome? in
            guard let current = try await tx.speedNetworkingSession(id, lock: true) else { return nil }
            let catalogue = try await Self.catalogue(tx, session: current)
            guard current.changeable(at: Date()) else {
                var locked = FormProblems()
                locked.add(current.isCancelled ? "This session is cancelled; it can no longer be changed."
                           : "The lobby of this session has opened: it can no longer be changed.")
                return .refused(locked, catalogue, current)
            }
            switch form.validated(now: Date(), catalogue: catalogue.map(\.question)) {
            case .failure(let refusal):
                return .refused(refusal.problems, catalogue, current)
            case .success(let draft):
                guard try await tx.updateSpeedNetworkingSession(id, draft) != nil,
                      let session = try await tx.speedNetworkingSession(id) else { throw HTTPError(.internalServerError) }
                let told = try await announcer.updated(tx, tenant: tenant, organizer: me, session: session)
                return .saved(session, told: told)
            }
        }
        switch outcome {
        case nil:
            throw HTTPError(.notFound, message: "There is no such session.")
        case .refused(let problems, let catalogue, let current)?:
            let locked = current.map { !$0.changeable(at: Date()) } ?? false
            return try formPage(context, form: form, catalogue: catalogue, session: current, problems: problems,
                            status: locked ? .conflict : .unprocessableContent)
        case .saved(let session, let told)?:
            return app.redirect(to: "/organize/sessions", flash: "“\(session.title)” is saved: \(session.when(in: context.viewerZone)). "
                                + Self.told(told, "were sent the updated invitation", "was sent the updated invitation"))
        }
    }

    @Sendable func cancel(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try requireOwnOrganizer(context)
        let id = try sessionID(context)
        let tenant = context.tenant, me = context.visitor.userID, announcer = app.announcer
        let result = try await app.asOrganizer(context, action: "cancel session") { tx -> (SpeedNetworkingSessionRecord, Int)? in
            guard let current = try await tx.speedNetworkingSession(id, lock: true) else { return nil }
            guard current.changeable(at: Date()) else {
                throw HTTPError(.conflict, message: current.isCancelled ? "This session is already cancelled."
                                : "The lobby of this session has opened: it can no longer be cancelled.")
            }
            guard try await tx.cancelSpeedNetworkingSession(id) != nil, let session = try await tx.speedNetworkingSession(id) else {
                throw HTTPError(.internalServerError)
            }
            return (session, try await announcer.cancelled(tx, tenant: tenant, organizer: me, session: session))
        }
        guard let (session, told) = result else { throw HTTPError(.notFound, message: "There is no such session.") }
        return app.redirect(to: "/organize/sessions", flash: "“\(session.title)” is cancelled. "
                            + Self.told(told, "holding an invitation were told", "holding an invitation was told"))
    }

    // MARK: own questions

    @Sendable func questions(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try await questionsPage(context, form: QuestionForm(), errors: [])
    }

    private func questionsPage(_ context: OrganizerRequestContext, form: QuestionForm, errors: [String],
                               status: HTTPResponse.Status = .ok) async throws -> Response {
        let own = try await app.asOrganizer(context, action: "list survey questions") { try await $0.ownSurveyQuestions() }
        return try app.views.page("organize/questions", context, title: "Survey questions",
                                  model: SurveyQuestionsModel(own: own, form: form, errors: errors), status: status)
    }

    @Sendable func addQuestion(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let form = QuestionForm(context.form)
        let key = "own-" + UUID().uuidString.lowercased().prefix(8)
        switch form.question(key: key) {
        case .failure(let refusal):
            return try await questionsPage(context, form: form, errors: refusal.messages, status: .unprocessableContent)
        case .success(let question):
            let tenant = context.tenant.id
            try await app.asOrganizer(context, action: "add survey question") {
                try await $0.insertSurveyQuestion(tenant: tenant, key: question.key, definitionJSON: question.json)
            }
            return app.redirect(to: "/organize/questions", flash: "Question “\(question.prompt)” added: you can pick it for your sessions.")
        }
    }

    @Sendable func archiveQuestion(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let gone = "There is no such question."
        let id = try context.parameters.rowID(notFound: gone)
        // Another tenant's question (or one already archived) changes no row: not found.
        let archived = try await app.asOrganizer(context, action: "archive survey question") { try await $0.archiveSurveyQuestion(id) }
        guard archived else { throw HTTPError(.notFound, message: gone) }
        return app.redirect(to: "/organize/questions",
                            flash: "Question removed from the list. Sessions that already use it keep their copy.")
    }
}

extension AppServices {
    var announcer: SessionAnnouncer { SessionAnnouncer(config: config, mailer: mailer) }
    var feedTokens: CalendarFeedTokens { CalendarFeedTokens(platformSecret: config.secretKey) }
}

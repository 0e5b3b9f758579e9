import Foundation
import Hummingbird
import SpeedNetworking
import Reports
import Store

/// The organizer's survey reports (issue 6): every answer, by question (charts), by member
/// answered about, by member who answered, and mutual interest; each table also as CSV. From a
/// report the organizer messages a member or connects two members. Platform admins read them
/// through the console's "open portal" (the audited path of `asOrganizer`).
struct OrganizerReportsController {
    let app: AppServices

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let reports = router.group("/organize/reports", context: OrganizerRequestContext.self)
        reports.get("", use: overview)
        reports.get("/sessions.csv", use: sessionsCSV)
        reports.get("/answers", use: answers)
        reports.get("/answers.csv", use: answersCSV)
        reports.get("/questions", use: questions)
        reports.get("/questions.csv", use: questionsCSV)
        reports.get("/people", use: people)
        reports.get("/people.csv", use: peopleCSV)
        reports.get("/people/:username", use: person)
        reports.post("/people/:username/message", use: message)
        reports.get("/mutual", use: mutual)
        reports.get("/mutual.csv", use: mutualCSV)
        reports.post("/mutual/connect", use: connectAll)
    }

    struct Loaded {
        var all: [SpeedNetworkingSessionRecord]
        var sessions: [SpeedNetworkingSessionRecord]
        var data: ReportData
        /// Connections and requests between the people of these surveys, by pair.
        var connections: [Set<UUID>: Connection.Status]
        /// For one member's page: that member.
        var member: MemberRecord?
        /// The organizer's zone, which the pages show times in.
        var zone: TimeZone

        func connection(_ a: UUID, _ b: UUID) -> Connection.Status? { connections[[a, b]] }
    }

    /// Everything a report page needs, in one transaction (one audit row for an acting admin).
    func load(_ context: OrganizerRequestContext, _ scope: ReportScope, member username: String? = nil) async throws -> Loaded {
        let now = Date()
        return try await app.asOrganizer(context, action: "read survey reports") { tx in
            let all = try await tx.speedNetworkingSessions()
            let sessions = scope.sessions(all, now: now)
            if let wanted = scope.session, !sessions.contains(where: { $0.id == wanted }) {
                throw HTTPError(.notFound, message: "There is no such session here, or it has not started yet.")
            }
            var member: MemberRecord?
            if let username {
                member = try await tx.member(username: username)
                guard member != nil else { throw HTTPError(.notFound, message: "There is no member \(username) here.") }
            }
            let responses = try await tx.surveyResponses(sessions: sessions.map(\.id))
            let data = ReportData(sessions: sessions, responses: responses)
            let people = Set(data.submissions.flatMap { [$0.submitter.id, $0.target.id] } + (member.map { [$0.user.id] } ?? []))
            var connections: [Set<UUID>: Connection.Status] = [:]
            for connection in try await tx.connections(among: Array(people)) {
                connections[[connection.requester, connection.recipient]] = connection.status
            }
            return Loaded(all: all, sessions: sessions, data: data, connections: connections, member: member, zone: context.viewerZone)
        }
    }

    // MARK: shared parts of every report page

    enum Tab: String, CaseIterable {
        case overview = "", answers, questions, people, mutual
        var name: String {
            switch self {
            case .overview: "Overview"
            case .answers: "Every answer"
            case .questions: "By question"
            case .people: "By member"
            case .mutual: "Mutual interest"
            }
        }
    }

    static func path(_ tab: Tab, _ scope: ReportScope, extra: String = "") -> String {
        link(tab == .overview ? "" : "/\(tab.rawValue)", scope, extra: extra)
    }

    /// `/organize/reports<rest>` with the scope (and `extra`) as its query.
    static func link(_ rest: String, _ scope: ReportScope, extra: String = "") -> String {
        let query = [scope.query, extra].filter { !$0.isEmpty }.joined(separator: "&")
        return "/organize/reports\(rest)" + (query.isEmpty ? "" : "?\(query)")
    }

    func csv(_ table: ReportTable, name: String) -> Response { table.download(name: name) }

    /// Times on the pages: in the organizer's zone (the page's footer names it).
    func dateFormat(_ loaded: Loaded) -> (Date, UUID) -> String {
        { date, _ in LocalTime.dateTime(date, in: loaded.zone) }
    }

    // MARK: overview

    @Sendable func overview(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let scope = try ReportScope(request)
        let loaded = try await load(context, scope)
        return try app.views.page("organize/reports", context, title: "Survey reports",
                                  model: ReportPage(frame: ReportFrameModel(loaded, scope, tab: .overview, now: Date()),
                                                    report: ReportsOverviewModel(loaded, scope)))
    }

    /// The sessions in scope with their survey and people counts.
    static func sessionsTable(_ loaded: Loaded) -> ReportTable {
        let bySession = Dictionary(grouping: loaded.data.submissions, by: \.session)
        return ReportTable(header: ["Session", "Start", "End", "Time zone", "Surveys", "People"], rows: loaded.sessions.map { session in
            let submissions = bySession[session.id] ?? []
            return [session.title, ReportTables.iso8601(session.startsAt), ReportTables.iso8601(session.endsAt), session.timeZone,
                    String(submissions.count), String(Set(submissions.flatMap { [$0.submitter.id, $0.target.id] }).count)]
        })
    }

    @Sendable func sessionsCSV(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        csv(Self.sessionsTable(try await load(context, try ReportScope(request))), name: "mingle-sessions")
    }

    // MARK: every answer

    struct AnswerFilters {
        var by = "", about = "", question = ""
        var order = SurveyReport.SubmissionOrder.time
        var descending = false

        init(_ request: Request) throws {
            by = request.queryValue("by") ?? ""
            about = request.queryValue("about") ?? ""
            question = request.queryValue("question") ?? ""
            if let sort = request.queryValue("sort"), !sort.isEmpty {
                guard let order = SurveyReport.SubmissionOrder(rawValue: sort) else {
                    throw HTTPError(.badRequest, message: "Sort by time, from, about or session.")
                }
                self.order = order
            }
            descending = request.queryValue("dir") == "desc"
        }

        func filter(_ data: ReportData) -> SurveyReport.SubmissionFilter {
            let people = Dictionary(data.submissions.flatMap { [$0.submitter, $0.target] }.map { ($0.username, $0.id) }, uniquingKeysWith: { a, _ in a })
            func id(_ username: String) -> UUID? {
                guard !username.isEmpty else { return nil }
                // Nobody of that name in these surveys: an empty result (no one has the nil UUID), not an error.
                return people[username] ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
            }
            return .init(from: id(by), about: id(about), question: question.isEmpty ? nil : question)
        }

        var query: String {
            [("by", by), ("about", about), ("question", question)].filter { !$0.1.isEmpty }
                .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        }
    }

    func answerTable(_ request: Request, _ context: OrganizerRequestContext, dates: ((Loaded) -> (Date, UUID) -> String)?)
        async throws -> (Loaded, ReportScope, AnswerFilters, [Submission], ReportTable) {
        let scope = try ReportScope(request)
        let filters = try AnswerFilters(request)
        let loaded = try await load(context, scope)
        let submissions = SurveyReport.submissions(loaded.data, filter: filters.filter(loaded.data), order: filters.order,
                                                   descending: filters.descending)
        let table = ReportTables.submissions(loaded.data, submissions, date: dates?(loaded) ?? { date, _ in ReportTables.iso8601(date) })
        return (loaded, scope, filters, submissions, table)
    }

    @Sendable func answers(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let (loaded, scope, filters, submissions, table) = try await answerTable(request, context, dates: dateFormat)
        let keep = [("by", filters.by), ("about", filters.about), ("question", filters.question),
                    ("sort", filters.order == .time ? "" : filters.order.rawValue), ("dir", filters.descending ? "desc" : "")]
        let number = try Self.pageNumber(request, pages: ReportAnswersModel.pages(submissions.count))
        return try app.views.page("organize/report_answers", context, title: "Every answer — survey reports",
                                  model: ReportPage(frame: ReportFrameModel(loaded, scope, tab: .answers, keep: keep, now: Date()),
                                                    report: ReportAnswersModel(loaded, scope, filters: filters, submissions: submissions,
                                                                               table: table, page: number,
                                                                               mayMessage: context.visitor.role == .organizer)))
    }

    /// `page=N` (1 when absent); out of range is a 400.
    static func pageNumber(_ request: Request, pages: Int) throws -> Int {
        guard let text = request.queryValue("page"), !text.isEmpty else { return 1 }
        guard let number = Int(text), (1...pages).contains(number) else {
            throw HTTPError(.badRequest, message: "There are \(pages) page(s) of answers.")
        }
        return number
    }

    @Sendable func answersCSV(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let (_, _, _, _, table) = try await answerTable(request, context, dates: nil)
        return csv(table, name: "mingle-answers")
    }

    // MARK: by question

    @Sendable func questions(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let scope = try ReportScope(request)
        let loaded = try await load(context, scope)
        return try app.views.page("organize/report_questions", context, title: "By question — survey reports",
                                  model: ReportPage(frame: ReportFrameModel(loaded, scope, tab: .questions, now: Date()),
                                                    report: ReportQuestionsModel(SurveyReport.byQuestion(loaded.data), scope,
                                                                                 accent: context.tenant.branding.accentColor)))
    }

    @Sendable func questionsCSV(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let loaded = try await load(context, try ReportScope(request))
        return csv(ReportTables.questions(SurveyReport.byQuestion(loaded.data)), name: "mingle-questions")
    }

    // MARK: by member

    static func targetOrder(_ request: Request, _ questions: [SurveyQuestion]) throws -> (SurveyReport.TargetOrder, Bool, String) {
        let sort = request.queryValue("sort") ?? "name"
        let descending = request.queryValue("dir") == "desc"
        switch sort {
        case "name": return (.name, descending, sort)
        case "surveys": return (.surveys, descending, sort)
        default:
            let ratings = questions.filter(\.isRating)
            guard ratings.contains(where: { $0.key == sort }) else { throw HTTPError(.badRequest, message: "Sort by name, surveys or a rating question.") }
            return (.average(sort), descending, sort)
        }
    }

    @Sendable func people(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let scope = try ReportScope(request)
        let loaded = try await load(context, scope)
        let questions = loaded.data.questions
        let (order, descending, sort) = try Self.targetOrder(request, questions)
        let summaries = SurveyReport.byTarget(loaded.data, order: order, descending: descending)
        let keep = [("sort", sort == "name" ? "" : sort), ("dir", descending ? "desc" : "")]
        return try app.views.page("organize/report_people", context, title: "By member — survey reports",
                                  model: ReportPage(frame: ReportFrameModel(loaded, scope, tab: .people, keep: keep, now: Date()),
                                                    report: ReportPeopleModel(summaries, ratings: questions.filter(\.isRating), sort: sort,
                                                                              descending: descending, scope,
                                                                              mayMessage: context.visitor.role == .organizer)))
    }

    @Sendable func peopleCSV(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let loaded = try await load(context, try ReportScope(request))
        let (order, descending, _) = try Self.targetOrder(request, loaded.data.questions)
        let table = ReportTables.targets(SurveyReport.byTarget(loaded.data, order: order, descending: descending), questions: loaded.data.questions)
        return csv(table, name: "mingle-members")
    }

    // MARK: one member

    @Sendable func person(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        try await personPage(request, context, body: nil, problem: nil)
    }

    /// Fewer ratings than this and a mean would give away what one named partner said.
    static let draftMinimumRatings = 3

    /// One member's page; after a refused message, again with the text typed and why.
    func personPage(_ request: Request, _ context: OrganizerRequestContext, body: String?, problem: String?) async throws -> Response {
        let username = try context.parameters.require("username")
        let scope = try ReportScope(request)
        let loaded = try await load(context, scope, member: username)
        guard let member = loaded.member else { throw HTTPError(.notFound) }
        let path = Self.link("/people/\(member.user.username)", ReportScope())
        return try app.views.page("organize/report_person", context, title: "\(member.user.displayName) — survey reports",
                                  model: ReportPage(frame: ReportFrameModel(loaded, scope, tab: .people, path: path, now: Date()),
                                                    report: ReportPersonModel(loaded, scope, member: member, body: body, problem: problem,
                                                                              mayMessage: context.visitor.role == .organizer,
                                                                              accent: context.tenant.branding.accentColor)),
                                  status: problem == nil ? .ok : .unprocessableContent)
    }

    /// A first draft of feedback the organizer edits before sending: how partners rated the
    /// member (only means of at least `draftMinimumRatings` ratings, so no single partner's
    /// answer shows through) and the people who also want to stay in touch with them.
    static func draft(to person: ReportPerson, about: SurveyReport.TargetSummary?, mutual: [ReportPerson]) -> String {
        var lines = ["Hi \(person.name),", "", "Thank you for taking part in our speed networking."]
        let shown = (about?.averages ?? []).filter { $0.mean.count >= draftMinimumRatings }
        if !shown.isEmpty {
            lines.append("Here is how your conversation partners rated your conversations (out of 5):")
            lines += shown.map { "– \($0.prompt) \($0.mean.text)" }
        }
        if !mutual.isEmpty {
            lines += ["", "You and these people both said you would like to stay in touch: "
                + mutual.map(\.name).joined(separator: ", ") + "."]
        }
        return lines.joined(separator: "\n")
    }

    @Sendable func message(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let username = try context.parameters.require("username")
        let body = context.form.text("body")
        guard context.visitor.role == .organizer else {
            throw HTTPError(.forbidden, message: "Messages to members are sent by the site's own organizers.")
        }
        guard !body.isEmpty, body.unicodeScalars.count <= MessagingRules.maxLength else {
            // The page again, with what was typed.
            return try await personPage(request, context, body: context.form["body"] ?? "",
                                        problem: "Write a message of 1–\(MessagingRules.maxLength) characters.")
        }
        let messages = MessagesController(app: app)
        let name = try await app.asOrganizer(context, action: "send feedback from a report") { tx -> String in
            let member = try await ConnectionsController.activeMember(tx, username)
            guard member.user.id != context.visitor.userID else { throw HTTPError(.unprocessableContent, message: "That is you.") }
            try await messages.deliver(tx, context.tenant, from: context.visitor, to: member.user, body: body)
            return member.user.displayName
        }
        let back = AppServices.safeNext(context.form["return_to"])
        return app.redirect(to: back.hasPrefix("/organize/reports") ? back : "/organize/reports",
                            flash: "Message sent to \(name). It is in your conversation with them under Messages.")
    }

    // MARK: mutual interest

    @Sendable func mutual(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let scope = try ReportScope(request)
        let loaded = try await load(context, scope)
        return try app.views.page("organize/report_mutual", context, title: "Mutual interest — survey reports",
                                  model: ReportPage(frame: ReportFrameModel(loaded, scope, tab: .mutual, now: Date()),
                                                    report: ReportMutualModel(loaded, scope)))
    }

    @Sendable func mutualCSV(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let loaded = try await load(context, try ReportScope(request))
        let table = ReportTables.mutual(loaded.data, SurveyReport.mutualInterest(loaded.data),
                                        connected: { loaded.connection($0.a.id, $0.b.id) == .accepted })
        return csv(table, name: "mingle-mutual-interest")
    }

    /// Connects every pair of the scope who both want to, in one transaction; both are told.
    @Sendable func connectAll(_ request: Request, context: OrganizerRequestContext) async throws -> Response {
        let form = context.form
        let scope = try ReportScope(checking: form["session"], since: form["since"], until: form["until"])
        let loaded = try await load(context, scope)
        var seen = Set<[UUID]>()
        let pairs = SurveyReport.mutualInterest(loaded.data).filter { seen.insert([$0.a.id, $0.b.id]).inserted }
        let (made, already) = try await ConnectionsController.retryingOnRace {
            try await app.asOrganizer(context, action: "connect mutual interest") { tx -> (Int, Int) in
                var made = 0, already = 0
                let active = Dictionary(try await tx.members().filter { $0.status == .active }.map { ($0.user.id, $0.user) },
                                        uniquingKeysWith: { a, _ in a })
                for pair in pairs {
                    guard let a = active[pair.a.id], let b = active[pair.b.id] else { continue }
                    if try await ConnectionsController.connect(tx, tenant: context.tenant.id, by: context.visitor.userID, a, b) != nil {
                        made += 1
                    } else {
                        already += 1
                    }
                }
                return (made, already)
            }
        }
        let flash = made == 0 && already == 0 ? "There was nobody to connect."
            : "Connected \(made) pair\(made == 1 ? "" : "s"); both members of each were told."
                + (already > 0 ? " \(already) \(already == 1 ? "was" : "were") already connected." : "")
        return app.redirect(to: Self.path(.mutual, scope), flash: flash)
    }
}

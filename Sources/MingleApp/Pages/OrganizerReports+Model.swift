import Foundation
import Reports
import SpeedNetworking
import Store

/// A survey report page (`/organize/reports…`): the frame's keys and the report's own side by
/// side under `page`, as the templates read them (`page.tabs`, `page.rows`).
struct ReportPage<Report: Encodable>: Encodable {
    var frame: ReportFrameModel
    var report: Report

    func encode(to encoder: any Encoder) throws {
        try frame.encode(to: encoder)
        try report.encode(to: encoder)
    }
}

/// Above every report: the scope picker (sessions that have started, latest first), what the
/// scope covers, and the tabs. The picker comes back to `path` and keeps `keep` (filters, sort)
/// as hidden fields.
struct ReportFrameModel: Encodable, Equatable {
    struct SessionOption: Encodable, Equatable {
        var id: String
        var label: String
        var selected: Bool
    }

    struct TabLink: Encodable, Equatable {
        var name: String
        var path: String
        var current: Bool
    }

    struct Hidden: Encodable, Equatable {
        var name: String
        var value: String
    }

    var sessionOptions: [SessionOption]
    var allSelected: Bool
    var since: String
    var until: String
    var scopeText: String
    var sessionCount: Int
    var surveyCount: Int
    /// "1 session, 12 surveys".
    var countsText: String
    var empty: Bool
    var tabs: [TabLink]
    var formAction: String
    var keep: [Hidden]

    init(_ loaded: OrganizerReportsController.Loaded, _ scope: ReportScope, tab: OrganizerReportsController.Tab,
         path: String? = nil, keep: [(String, String)] = [], now: Date) {
        typealias Controller = OrganizerReportsController
        sessionOptions = loaded.all.filter { !$0.isCancelled && $0.startsAt <= now }.reversed().map {
            SessionOption(id: $0.id.uuidString.lowercased(), label: "\($0.title) — \(LocalTime.short($0.startsAt, in: loaded.zone))",
                          selected: $0.id == scope.session)
        }
        (allSelected, since, until) = (scope.session == nil, scope.since, scope.until)
        (scopeText, sessionCount) = (scope.describe(loaded.sessions, zone: loaded.zone), loaded.sessions.count)
        (surveyCount, empty) = (loaded.data.submissions.count, loaded.data.submissions.isEmpty)
        countsText = SessionsController.count(sessionCount, "session", "sessions") + ", "
            + SessionsController.count(surveyCount, "survey", "surveys")
        tabs = Controller.Tab.allCases.map { TabLink(name: $0.name, path: Controller.path($0, scope), current: $0 == tab) }
        formAction = path ?? Controller.path(tab, ReportScope())
        self.keep = keep.filter { !$0.1.isEmpty }.map { Hidden(name: $0.0, value: $0.1) }
    }
}

/// A member named in a report, linking to their report page in the same scope.
struct ReportPersonLink: Encodable, Equatable {
    var name: String
    var username: String
    var path: String

    init(_ person: ReportPerson, _ scope: ReportScope) {
        (name, username) = (person.name, person.username)
        path = OrganizerReportsController.link("/people/\(person.username)", scope)
    }
}

/// A column heading of a report table; a sortable one links to the table sorted by it
/// (ascending first, then the other way) and says how the table is sorted now.
struct ReportColumn: Encodable, Equatable {
    var name: String
    var sortPath: String?
    var ariaSort: String?

    init(_ name: String) { self.name = name }

    /// `link` makes the column's path from its sort query (`sort=<key>&dir=<asc|desc>`).
    init(_ name: String, key: String, current: Bool, descending: Bool, link: (String) -> String) {
        self.name = name
        sortPath = link("sort=\(key)&dir=\(current && !descending ? "desc" : "asc")")
        ariaSort = current ? (descending ? "descending" : "ascending") : "none"
    }
}

/// The overview (`/organize/reports`): figures, downloads, and each session's counts, latest first.
struct ReportsOverviewModel: Encodable, Equatable {
    struct Session: Encodable, Equatable {
        var title: String
        var when: String
        var surveys: Int
        var people: Int
        var path: String
        var attendancePath: String
    }

    struct Download: Encodable, Equatable {
        var name: String
        var path: String
    }

    var sessions: [Session]
    var noSessions: Bool
    var members: Int
    var mutualCount: Int
    var mutualPath: String
    var downloads: [Download]

    init(_ loaded: OrganizerReportsController.Loaded, _ scope: ReportScope) {
        typealias Controller = OrganizerReportsController
        let bySession = Dictionary(grouping: loaded.data.submissions, by: \.session)
        sessions = loaded.sessions.reversed().map { session in
            let submissions = bySession[session.id] ?? []
            return Session(title: session.title, when: session.when(in: loaded.zone), surveys: submissions.count,
                           people: Set(submissions.flatMap { [$0.submitter.id, $0.target.id] }).count,
                           path: Controller.path(.overview, ReportScope(session: session.id)),
                           attendancePath: "/organize/sessions/\(session.id.uuidString.lowercased())/attendance")
        }
        noSessions = sessions.isEmpty
        members = Set(loaded.data.submissions.map(\.target.id)).count
        mutualCount = SurveyReport.mutualInterest(loaded.data).count
        mutualPath = Controller.path(.mutual, scope)
        downloads = [("Sessions", "sessions"), ("Every answer", "answers"), ("By question", "questions"), ("By member", "people"),
                     ("Mutual interest", "mutual")]
            .map { Download(name: $0.0, path: Controller.link("/\($0.1).csv", scope)) }
    }
}

/// Every answer (`/organize/reports/answers`): one page of the filtered, sorted surveys, with
/// the filters' choices and a way to connect or message the two people of each.
struct ReportAnswersModel: Encodable, Equatable {
    struct Cell: Encodable, Equatable {
        var text: String
        var link: String?
    }

    struct Row: Encodable, Equatable {
        var from: ReportPersonLink
        var about: ReportPersonLink
        var connected: Bool
        var cells: [Cell]
    }

    struct Person: Encodable, Equatable {
        var username: String
        var name: String
        var by: Bool
        var about: Bool
    }

    struct Question: Encodable, Equatable {
        var key: String
        var prompt: String
        var selected: Bool
    }

    var mayMessage: Bool
    var sort: String
    var dir: String
    var header: [ReportColumn]
    var paged: Bool
    var pageText: String?
    var previous: String?
    var next: String?
    var rows: [Row]
    var count: Int
    /// "8 surveys", or filtered "1 survey matches" / "8 surveys match".
    var countText: String
    var noRows: Bool
    var people: [Person]
    var questions: [Question]
    var sessionValue: String
    var csvPath: String
    var filtered: Bool
    var clearPath: String
    var returnTo: String

    static let rowsPerPage = 200

    /// How many pages `count` rows make (at least one).
    static func pages(_ count: Int) -> Int { max(1, (count + rowsPerPage - 1) / rowsPerPage) }

    /// The columns the page leaves out: what the links and the session picker already say (the CSV has it all).
    static let hidden: Set<Int> = [1, 4, 6]

    /// `table` is `submissions` as a table (a row each, in order); `page` is the page shown, 1-based.
    init(_ loaded: OrganizerReportsController.Loaded, _ scope: ReportScope, filters: OrganizerReportsController.AnswerFilters,
         submissions: [Submission], table: ReportTable, page number: Int, mayMessage: Bool) {
        typealias Controller = OrganizerReportsController
        self.mayMessage = mayMessage
        sort = filters.order == .time ? "" : filters.order.rawValue
        dir = filters.descending ? "desc" : ""
        let sortable: [String: SurveyReport.SubmissionOrder] = ["Submitted": .time, "From": .from, "About": .about, "Session": .session]
        header = table.header.enumerated().filter { !Self.hidden.contains($0.offset) }.map(\.element).map { name in
            guard let order = sortable[name] else { return ReportColumn(name) }
            return ReportColumn(name, key: order.rawValue, current: order == filters.order, descending: filters.descending) {
                Controller.path(.answers, scope, extra: [filters.query, $0].filter { !$0.isEmpty }.joined(separator: "&"))
            }
        }
        // A page of rows at a time (the CSV has them all).
        let pages = Self.pages(submissions.count)
        let shown = (number - 1) * Self.rowsPerPage..<min(submissions.count, number * Self.rowsPerPage)
        let here = [filters.query, filters.order == .time ? "" : "sort=\(filters.order.rawValue)", filters.descending ? "dir=desc" : ""]
            .filter { !$0.isEmpty }.joined(separator: "&")
        func pageLink(_ n: Int) -> String { Controller.path(.answers, scope, extra: [here, "page=\(n)"].filter { !$0.isEmpty }.joined(separator: "&")) }
        paged = pages > 1
        pageText = shown.isEmpty ? nil : "Showing \(shown.lowerBound + 1)–\(shown.upperBound) of \(submissions.count)"
        previous = number > 1 ? pageLink(number - 1) : nil
        next = number < pages ? pageLink(number + 1) : nil
        rows = zip(submissions[shown], table.rows[shown]).map { submission, cells in
            let from = ReportPersonLink(submission.submitter, scope), about = ReportPersonLink(submission.target, scope)
            return Row(from: from, about: about,
                       connected: loaded.connection(submission.submitter.id, submission.target.id) == .accepted,
                       cells: cells.enumerated().filter { !Self.hidden.contains($0.offset) }.map { index, text in
                           switch index {
                           case 3: Cell(text: text, link: from.path)
                           case 5: Cell(text: text, link: about.path)
                           default: Cell(text: text)
                           }
                       })
        }
        (count, noRows) = (submissions.count, submissions.isEmpty)
        let everyone = Set(loaded.data.submissions.flatMap { [$0.submitter, $0.target] }).sorted { $0.name.lowercased() < $1.name.lowercased() }
        people = everyone.map { Person(username: $0.username, name: $0.name, by: $0.username == filters.by, about: $0.username == filters.about) }
        questions = loaded.data.questions.map { Question(key: $0.key, prompt: $0.prompt, selected: $0.key == filters.question) }
        sessionValue = scope.session?.uuidString.lowercased() ?? ""
        csvPath = Controller.link("/answers.csv", scope, extra: filters.query)
        filtered = !filters.query.isEmpty
        let surveys = SessionsController.count(submissions.count, "survey", "surveys")
        countText = filtered ? surveys + (submissions.count == 1 ? " matches" : " match") : surveys
        clearPath = Controller.path(.answers, scope)
        returnTo = Controller.path(.answers, scope, extra: filters.query)
    }
}

/// By question (`/organize/reports/questions`): each question's answers counted and charted,
/// its mean for a rating, and the remarks written for free text.
struct ReportQuestionsModel: Encodable, Equatable {
    struct Question: Encodable, Equatable {
        var prompt: String
        var kind: String
        var answered: Int
        /// "1 survey", "3 surveys".
        var answeredText: String
        var mean: String?
        var hasMean: Bool
        var chart: String?
        var buckets: [Bucket]
        var hasBuckets: Bool
        var remarks: [Remark]
        var isFreeText: Bool
        var noRemarks: Bool
    }

    struct Bucket: Encodable, Equatable {
        var label: String
        var count: Int
    }

    struct Remark: Encodable, Equatable {
        var text: String
        var from: ReportPersonLink
        var about: ReportPersonLink
        var round: Int
    }

    var questions: [Question]
    var noQuestions: Bool
    var csvPath: String

    /// Charts are drawn in the site's `accent` colour; a question nobody answered has none.
    init(_ summaries: [SurveyReport.QuestionSummary], _ scope: ReportScope, accent: String) {
        questions = summaries.enumerated().map { index, summary in
            let total = summary.buckets.reduce(0) { $0 + $1.count }
            let bars = summary.buckets.map { bucket in
                SVGChart.Bar(label: bucket.label, value: Double(bucket.count),
                             text: total == 0 ? "0" : "\(bucket.count) (\(Int((Double(bucket.count) * 100 / Double(total)).rounded()))%)")
            }
            var description = summary.buckets.map { "\($0.label): \($0.count)" }.joined(separator: ", ")
            if let mean = summary.mean { description += ". Mean \(mean.text) from \(SessionsController.count(mean.count, "rating", "ratings"))." }
            let chart = summary.buckets.isEmpty || total == 0 ? nil : SVGChart.bars(
                id: "question-\(index)", title: summary.question.prompt, description: "Answers — \(description)",
                // A full bar is 100 % of the answers (the percentage written beside it), not the largest count.
                bars: bars, maximum: Double(total), accent: accent)
            return Question(prompt: summary.question.prompt, kind: ReportTables.kindName(summary.question.kind),
                            answered: summary.answered, answeredText: SessionsController.count(summary.answered, "survey", "surveys"),
                            mean: summary.mean?.text, hasMean: summary.mean != nil, chart: chart,
                            buckets: summary.buckets.map { Bucket(label: $0.label, count: $0.count) }, hasBuckets: !summary.buckets.isEmpty,
                            remarks: summary.remarks.map {
                                Remark(text: $0.text, from: ReportPersonLink($0.from, scope), about: ReportPersonLink($0.about, scope),
                                       round: $0.round)
                            },
                            isFreeText: summary.buckets.isEmpty, noRemarks: summary.buckets.isEmpty && summary.remarks.isEmpty)
        }
        noQuestions = summaries.isEmpty
        csvPath = OrganizerReportsController.link("/questions.csv", scope)
    }
}

/// By member (`/organize/reports/people`): for each member answered about, how many surveys
/// and the mean of each rating question, sortable by any of them.
struct ReportPeopleModel: Encodable, Equatable {
    struct Row: Encodable, Equatable {
        var person: ReportPersonLink
        var surveys: Int
        var means: [MeanCell]
    }

    struct MeanCell: Encodable, Equatable {
        var text: String
        var count: Int
        var hasCount: Bool
    }

    var mayMessage: Bool
    var header: [ReportColumn]
    var rows: [Row]
    var noRows: Bool
    var csvPath: String

    /// `sort` is the column sorted by: `name`, `surveys` or a rating question's key.
    init(_ summaries: [SurveyReport.TargetSummary], ratings: [SurveyQuestion], sort: String, descending: Bool,
         _ scope: ReportScope, mayMessage: Bool) {
        typealias Controller = OrganizerReportsController
        self.mayMessage = mayMessage
        func column(_ key: String, _ name: String) -> ReportColumn {
            ReportColumn(name, key: key, current: key == sort, descending: descending) { Controller.path(.people, scope, extra: $0) }
        }
        header = [column("name", "Member"), column("surveys", "Surveys about them")] + ratings.map { column($0.key, $0.prompt) }
        rows = summaries.map { summary in
            Row(person: ReportPersonLink(summary.person, scope), surveys: summary.surveys, means: ratings.map { question in
                guard let mean = summary.average(question.key) else { return MeanCell(text: "—", count: 0, hasCount: false) }
                return MeanCell(text: mean.text, count: mean.count, hasCount: true)
            })
        }
        noRows = summaries.isEmpty
        csvPath = Controller.link("/people.csv", scope)
    }
}

/// One member (`/organize/reports/people/:username`): what partners said about them, what they
/// said about others, whom to connect them with, and a feedback message to send them.
struct ReportPersonModel: Encodable, Equatable {
    struct Person: Encodable, Equatable {
        var name: String
        var username: String
    }

    struct MeanRow: Encodable, Equatable {
        var prompt: String
        var mean: String
        var count: Int
    }

    struct Choice: Encodable, Equatable {
        var prompt: String
        var answers: String
    }

    struct Remark: Encodable, Equatable {
        var text: String
        var from: ReportPersonLink
        var prompt: String
    }

    struct Said: Encodable, Equatable {
        struct Answer: Encodable, Equatable {
            var prompt: String
            var value: String
        }

        var partner: ReportPersonLink
        var session: String
        var round: Int
        var answers: [Answer]
    }

    struct Suggestion: Encodable, Equatable {
        var person: ReportPersonLink
        var mutual: Bool
        var connected: Bool
        var pending: Bool
    }

    var person: Person
    var surveysAbout: Int
    var surveysBy: Int
    /// "1 survey about them · 3 surveys by them".
    var surveysText: String
    var noneAbout: Bool
    var noneSaid: Bool
    var hasMeans: Bool
    var hasRemarks: Bool
    var meansChart: String?
    var means: [MeanRow]
    var choices: [Choice]
    var remarks: [Remark]
    var said: [Said]
    var suggestions: [Suggestion]
    var noSuggestions: Bool
    var returnTo: String
    var mayMessage: Bool
    var maxLength: Int
    var draft: String
    var problem: String?
    var hasProblem: Bool
    var csvAbout: String
    var csvBy: String

    /// `body` and `problem`: the message as typed and why it was refused, after a refused send;
    /// otherwise the page offers a first draft.
    init(_ loaded: OrganizerReportsController.Loaded, _ scope: ReportScope, member: MemberRecord, body: String?, problem: String?,
         mayMessage: Bool, accent: String) {
        typealias Controller = OrganizerReportsController
        let data = loaded.data.involving(member.user.id)
        let me = ReportPerson(id: member.user.id, username: member.user.username, name: member.user.displayName)
        let about = SurveyReport.byTarget(data).first { $0.person.id == me.id }
        let saidBy = SurveyReport.submissions(data, filter: .init(from: me.id))
        let mutual = SurveyReport.mutualInterest(data).map { $0.a.id == me.id ? $0.b : $0.a }
        let intent = SurveyReport.connectIntent(data)
        let wanted = SurveyReport.submissions(data, filter: .init(about: me.id))
            .filter { SurveyReport.wantsToConnect($0, intent: intent) }.map(\.submitter)
        person = Person(name: me.name, username: me.username)
        (surveysAbout, surveysBy) = (about?.surveys ?? 0, saidBy.count)
        surveysText = "\(SessionsController.count(surveysAbout, "survey", "surveys")) about them · "
            + "\(SessionsController.count(surveysBy, "survey", "surveys")) by them"
        (noneAbout, noneSaid) = ((about?.surveys ?? 0) == 0, saidBy.isEmpty)
        hasMeans = !(about?.averages.isEmpty ?? true)
        hasRemarks = !(about?.remarks.isEmpty ?? true)
        let averages = about?.averages ?? []
        meansChart = averages.isEmpty ? nil : SVGChart.bars(
            id: "means", title: "Average ratings about \(me.name)",
            description: averages.map { "\($0.prompt): \($0.mean.text) from \($0.mean.count) ratings" }.joined(separator: "; "),
            bars: averages.map { SVGChart.Bar(label: $0.prompt, value: $0.mean.value, text: "\($0.mean.text) (\($0.mean.count))") },
            maximum: 5, accent: accent)
        means = averages.map { MeanRow(prompt: $0.prompt, mean: $0.mean.text, count: $0.mean.count) }
        choices = (about?.choices ?? []).map { tally in
            Choice(prompt: tally.prompt,
                   answers: tally.buckets.filter { $0.count > 0 }.map { "\($0.label): \($0.count)" }.joined(separator: " · "))
        }
        remarks = (about?.remarks ?? []).map { Remark(text: $0.text, from: ReportPersonLink($0.from, scope), prompt: $0.prompt) }
        said = saidBy.map { s in
            Said(partner: ReportPersonLink(s.target, scope), session: loaded.data.session(s.session)?.title ?? "", round: s.round,
                 answers: s.answers.map { Said.Answer(prompt: $0.prompt, value: $0.value) })
        }
        let others = Array(Set(mutual + wanted)).sorted { ($0.name.lowercased(), $0.username) < ($1.name.lowercased(), $1.username) }
        suggestions = others.map { other in
            Suggestion(person: ReportPersonLink(other, scope), mutual: mutual.contains(other),
                       connected: loaded.connection(me.id, other.id) == .accepted, pending: loaded.connection(me.id, other.id) == .pending)
        }
        noSuggestions = others.isEmpty
        returnTo = Controller.link("/people/\(me.username)", scope)
        self.mayMessage = mayMessage
        maxLength = MessagingRules.maxLength
        draft = body ?? Controller.draft(to: me, about: about, mutual: mutual.filter { loaded.connection(me.id, $0.id) != .accepted })
        (self.problem, hasProblem) = (problem, problem != nil)
        csvAbout = Controller.link("/answers.csv", scope, extra: "about=\(me.username)")
        csvBy = Controller.link("/answers.csv", scope, extra: "by=\(me.username)")
    }
}

/// Mutual interest (`/organize/reports/mutual`): the pairs who both want to connect, and
/// whether they are connected already.
struct ReportMutualModel: Encodable, Equatable {
    struct Pair: Encodable, Equatable {
        var a: ReportPersonLink
        var b: ReportPersonLink
        var session: String
        var round: Int
        var connected: Bool
        var pending: Bool
    }

    var rows: [Pair]
    var noRows: Bool
    var openCount: Int
    /// "1 pair" / "3 pairs".
    var openPairs: String
    var anyOpen: Bool
    var returnTo: String
    var sessionValue: String
    var csvPath: String

    init(_ loaded: OrganizerReportsController.Loaded, _ scope: ReportScope) {
        typealias Controller = OrganizerReportsController
        let pairs = SurveyReport.mutualInterest(loaded.data)
        let open = pairs.filter { loaded.connection($0.a.id, $0.b.id) != .accepted }
        rows = pairs.map { pair in
            Pair(a: ReportPersonLink(pair.a, scope), b: ReportPersonLink(pair.b, scope),
                 session: loaded.data.session(pair.session)?.title ?? "", round: pair.round,
                 connected: loaded.connection(pair.a.id, pair.b.id) == .accepted,
                 pending: loaded.connection(pair.a.id, pair.b.id) == .pending)
        }
        noRows = pairs.isEmpty
        openCount = Set(open.map { Set([$0.a.id, $0.b.id]) }).count
        openPairs = SessionsController.count(openCount, "pair", "pairs")
        anyOpen = !open.isEmpty
        returnTo = Controller.path(.mutual, scope)
        sessionValue = scope.session?.uuidString.lowercased() ?? ""
        csvPath = Controller.link("/mutual.csv", scope)
    }
}

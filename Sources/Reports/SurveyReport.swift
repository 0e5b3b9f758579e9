import Foundation
import SpeedNetworking

/// A mean of whole-number ratings, kept as sum and count so it is exact and its text is
/// rounded the same way everywhere (half up, two decimals).
public struct Mean: Sendable, Hashable {
    public var sum: Int
    public var count: Int

    public init(sum: Int, count: Int) {
        self.sum = sum
        self.count = count
    }

    public var value: Double { count == 0 ? 0 : Double(sum) / Double(count) }

    /// "3.67": hundredths rounded half up, computed on integers.
    public var text: String {
        guard count > 0 else { return "" }
        let hundredths = (sum * 200 + count) / (2 * count)
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Compares the values (2/4 is neither less nor more than 1/2); equality stays that of
    /// the sum and count, which the text and the counts shown depend on.
    public func isLess(than other: Mean) -> Bool { sum * other.count < other.sum * count }

    static func of(_ ratings: [Int]) -> Mean? { ratings.isEmpty ? nil : Mean(sum: ratings.reduce(0, +), count: ratings.count) }
}

/// What organizers read after their sessions (issue 6): every answer, and answers put together
/// by question, by the member answered about and by the member who answered. Pure.
public enum SurveyReport {
    public struct Bucket: Sendable, Hashable {
        public var label: String
        public var count: Int

        public init(label: String, count: Int) {
            self.label = label
            self.count = count
        }
    }

    /// A free-text answer, with who wrote it about whom.
    public struct Remark: Sendable, Hashable {
        public var from: ReportPerson
        public var about: ReportPerson
        public var prompt: String
        public var text: String
        public var session: UUID
        public var round: Int
    }

    public struct QuestionSummary: Sendable, Hashable {
        public var question: SurveyQuestion
        /// Surveys in which it was answered.
        public var answered: Int
        /// Ratings: 1…5; single choice: the options in order, then any other answer given.
        public var buckets: [Bucket]
        public var mean: Mean?
        public var remarks: [Remark]
    }

    public struct Average: Sendable, Hashable {
        public var key: String
        public var prompt: String
        public var mean: Mean
    }

    /// Everything said about one member.
    public struct TargetSummary: Sendable, Hashable {
        public var person: ReportPerson
        public var surveys: Int
        /// One per rating question answered about them, in question order.
        public var averages: [Average]
        /// Single-choice answers about them: per question, the count of each answer given.
        public var choices: [ChoiceTally]
        public var remarks: [Remark]

        public func average(_ key: String) -> Mean? { averages.first { $0.key == key }?.mean }
    }

    public struct ChoiceTally: Sendable, Hashable {
        public var key: String
        public var prompt: String
        public var buckets: [Bucket]
    }

    /// A pair who both said they would like to connect.
    public struct MutualPair: Sendable, Hashable {
        public var a: ReportPerson
        public var b: ReportPerson
        public var session: UUID
        public var round: Int
    }

    /// The questions of `data` whose answers say "I would like to connect", and the answers
    /// that say yes: the standard "would-connect" question and the organizer's own questions
    /// marked as asking it (`SurveyQuestion.connectAnswers`).
    public static func connectIntent(_ data: ReportData) -> [String: Set<String>] {
        var intent: [String: Set<String>] = [:]
        for question in data.questions { if let yes = question.connectAnswers { intent[question.key] = yes } }
        return intent
    }

    /// Whether this survey says its author would like to connect with the partner.
    public static func wantsToConnect(_ submission: Submission, intent: [String: Set<String>]) -> Bool {
        submission.answers.contains { answer in intent[answer.key]?.contains(answer.value) ?? false }
    }

    // MARK: by question

    public static func byQuestion(_ data: ReportData) -> [QuestionSummary] {
        data.questions.map { question in
            let answers = data.submissions.compactMap { submission in submission.answer(question.key).map { (submission, $0) } }
            var summary = QuestionSummary(question: question, answered: answers.count, buckets: [], mean: nil, remarks: [])
            switch question.kind {
            case .rating:
                let ratings = answers.compactMap { $0.1.rating }
                summary.buckets = (1...5).map { value in Bucket(label: String(value), count: ratings.count { $0 == value }) }
                summary.mean = Mean.of(ratings)
            case .singleChoice(let options):
                summary.buckets = tally(answers.map(\.1.value), options: options)
            case .freeText:
                summary.remarks = answers.map { remark($0.0, $0.1) }
            }
            return summary
        }
    }

    /// Counts of each answer: the listed options first (zero counts included), then any other
    /// answer given, in the order first seen.
    static func tally(_ values: [String], options: [String]) -> [Bucket] {
        var labels = options
        for value in values where !labels.contains(value) { labels.append(value) }
        return labels.map { label in Bucket(label: label, count: values.count { $0 == label }) }
    }

    static func remark(_ submission: Submission, _ answer: ReportAnswer) -> Remark {
        Remark(from: submission.submitter, about: submission.target, prompt: answer.prompt, text: answer.value,
               session: submission.session, round: submission.round)
    }

    // MARK: by target

    public enum TargetOrder: Sendable, Hashable {
        case name
        case surveys
        /// The mean of one rating question; members without one come last.
        case average(String)
    }

    /// One summary per member who was answered about.
    public static func byTarget(_ data: ReportData, order: TargetOrder = .name, descending: Bool = false) -> [TargetSummary] {
        let questions = data.questions
        let grouped = Dictionary(grouping: data.submissions, by: \.target)
        let summaries = grouped.map { person, submissions in
            var summary = TargetSummary(person: person, surveys: submissions.count, averages: [], choices: [], remarks: [])
            for question in questions {
                let answers = submissions.compactMap { s in s.answer(question.key).map { (s, $0) } }
                guard !answers.isEmpty else { continue }
                switch question.kind {
                case .rating:
                    if let mean = Mean.of(answers.compactMap { $0.1.rating }) {
                        summary.averages.append(Average(key: question.key, prompt: question.prompt, mean: mean))
                    }
                case .singleChoice(let options):
                    summary.choices.append(ChoiceTally(key: question.key, prompt: question.prompt,
                                                       buckets: tally(answers.map(\.1.value), options: options)))
                case .freeText:
                    summary.remarks += answers.map { remark($0.0, $0.1) }
                }
            }
            return summary
        }
        func byName(_ x: TargetSummary, _ y: TargetSummary) -> Bool {
            (x.person.name.lowercased(), x.person.username) < (y.person.name.lowercased(), y.person.username)
        }
        return summaries.sorted { x, y in
            switch order {
            case .name:
                return descending ? byName(y, x) : byName(x, y)
            case .surveys:
                if x.surveys != y.surveys { return descending ? x.surveys > y.surveys : x.surveys < y.surveys }
            case .average(let key):
                switch (x.average(key), y.average(key)) {
                case (nil, nil): break
                case (nil, _): return false
                case (_, nil): return true
                case (let a?, let b?):
                    if a.isLess(than: b) || b.isLess(than: a) { return descending ? b.isLess(than: a) : a.isLess(than: b) }
                }
            }
            return byName(x, y)
        }
    }

    // MARK: individual submissions

    public enum SubmissionOrder: String, Sendable, CaseIterable {
        case time, from, about, session
    }

    public struct SubmissionFilter: Sendable, Hashable {
        /// Submissions by this member.
        public var from: UUID?
        /// Submissions about this member.
        public var about: UUID?
        /// Only those that answered this question.
        public var question: String?

        public init(from: UUID? = nil, about: UUID? = nil, question: String? = nil) {
            self.from = from
            self.about = about
            self.question = question
        }
    }

    public static func submissions(_ data: ReportData, filter: SubmissionFilter = .init(), order: SubmissionOrder = .time,
                                   descending: Bool = false) -> [Submission] {
        let starts = Dictionary(uniqueKeysWithValues: data.sessions.map { ($0.id, $0.startsAt) })
        let kept = data.submissions.filter { s in
            (filter.from.map { s.submitter.id == $0 } ?? true) && (filter.about.map { s.target.id == $0 } ?? true)
                && (filter.question.map { s.answer($0) != nil } ?? true)
        }
        func chronological(_ a: Submission, _ b: Submission) -> Bool {
            (starts[a.session] ?? .distantPast, a.round, a.submittedAt, a.id.uuidString)
                < (starts[b.session] ?? .distantPast, b.round, b.submittedAt, b.id.uuidString)
        }
        let titles = Dictionary(uniqueKeysWithValues: data.sessions.map { ($0.id, $0.title.lowercased()) })
        func key(_ s: Submission) -> String {
            switch order {
            case .time: ""
            case .session: (titles[s.session] ?? "") + "\u{0}" + (starts[s.session].map { String($0.timeIntervalSince1970) } ?? "")
            case .from: s.submitter.name.lowercased() + "\u{0}" + s.submitter.username
            case .about: s.target.name.lowercased() + "\u{0}" + s.target.username
            }
        }
        let sorted = kept.sorted { a, b in
            let (ka, kb) = (key(a), key(b))
            if ka != kb { return descending ? ka > kb : ka < kb }
            return order == .time ? (descending ? chronological(b, a) : chronological(a, b)) : chronological(a, b)
        }
        return sorted
    }

    // MARK: mutual interest

    /// Pairs in which both said yes to a connect question, one row per conversation, in the
    /// order they happened.
    public static func mutualInterest(_ data: ReportData) -> [MutualPair] {
        let intent = connectIntent(data)
        let byPairing = Dictionary(grouping: data.submissions, by: \.pairing)
        let starts = Dictionary(uniqueKeysWithValues: data.sessions.map { ($0.id, $0.startsAt) })
        return byPairing.values.compactMap { submissions -> MutualPair? in
            guard submissions.count == 2, submissions.allSatisfy({ wantsToConnect($0, intent: intent) }) else { return nil }
            let (x, y) = (submissions[0].submitter, submissions[1].submitter)
            let (a, b) = (x.name.lowercased(), x.username) <= (y.name.lowercased(), y.username) ? (x, y) : (y, x)
            return MutualPair(a: a, b: b, session: submissions[0].session, round: submissions[0].round)
        }
        .sorted { p, q in
            let x = (starts[p.session] ?? .distantPast, p.round, p.a.name.lowercased(), p.b.name.lowercased())
            let y = (starts[q.session] ?? .distantPast, q.round, q.a.name.lowercased(), q.b.name.lowercased())
            return x != y ? x < y : (p.a.username, p.b.username, p.session.uuidString) < (q.a.username, q.b.username, q.session.uuidString)
        }
    }
}

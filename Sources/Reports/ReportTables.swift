import Foundation
import SpeedNetworking

/// A report as a table: what the page shows and what its CSV file holds are the same rows.
public struct ReportTable: Sendable, Hashable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    public var csv: [UInt8] { CSV.file(header: header, rows: rows) }
}

/// The tables of the survey reports. `date` formats an instant of a session (the CSV files use
/// ISO 8601 UTC, the pages the session's own time zone).
public enum ReportTables {
    public static func iso8601(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// Every submission: who, about whom, which session and round, each answer.
    public static func submissions(_ data: ReportData, _ submissions: [Submission],
                                   date: (Date, UUID) -> String = { date, _ in iso8601(date) }) -> ReportTable {
        let questions = data.questions
        let header = ["Session", "Session start", "Round", "From", "From (username)", "About", "About (username)", "Submitted"]
            + questions.map(\.prompt)
        let rows = submissions.map { s -> [String] in
            let session = data.session(s.session)
            return [session?.title ?? "", session.map { date($0.startsAt, $0.id) } ?? "", String(s.round),
                    s.submitter.name, s.submitter.username, s.target.name, s.target.username, date(s.submittedAt, s.session)]
                + questions.map { s.answer($0.key)?.value ?? "" }
        }
        return ReportTable(header: header, rows: rows)
    }

    /// By question, one row per answer given (ratings 1–5, the options): the count, and for
    /// ratings the question's mean on every row; free-text questions have one row.
    public static func questions(_ summaries: [SurveyReport.QuestionSummary]) -> ReportTable {
        var rows: [[String]] = []
        for summary in summaries {
            let base = [summary.question.prompt, kindName(summary.question.kind), String(summary.answered), summary.mean?.text ?? ""]
            if summary.buckets.isEmpty {
                rows.append(base + ["", String(summary.answered)])
            } else {
                rows += summary.buckets.map { base + [$0.label, String($0.count)] }
            }
        }
        return ReportTable(header: ["Question", "Kind", "Answered", "Mean", "Answer", "Count"], rows: rows)
    }

    /// By the member answered about: surveys about them, and per rating question the mean and
    /// the number of ratings.
    public static func targets(_ summaries: [SurveyReport.TargetSummary], questions: [SurveyQuestion]) -> ReportTable {
        let ratings = questions.filter(\.isRating)
        let header = ["Member", "Username", "Surveys about them"] + ratings.flatMap { ["\($0.prompt) (mean)", "\($0.prompt) (ratings)"] }
        let rows = summaries.map { summary in
            [summary.person.name, summary.person.username, String(summary.surveys)]
                + ratings.flatMap { question -> [String] in
                    guard let mean = summary.average(question.key) else { return ["", "0"] }
                    return [mean.text, String(mean.count)]
                }
        }
        return ReportTable(header: header, rows: rows)
    }

    /// Pairs who both want to connect; `connected` says whether they already are.
    public static func mutual(_ data: ReportData, _ pairs: [SurveyReport.MutualPair], connected: (SurveyReport.MutualPair) -> Bool,
                              date: (Date, UUID) -> String = { date, _ in iso8601(date) }) -> ReportTable {
        let header = ["Session", "Session start", "Round", "Member", "Username", "Member", "Username", "Connected"]
        let rows = pairs.map { pair -> [String] in
            let session = data.session(pair.session)
            return [session?.title ?? "", session.map { date($0.startsAt, $0.id) } ?? "", String(pair.round),
                    pair.a.name, pair.a.username, pair.b.name, pair.b.username, connected(pair) ? "yes" : "no"]
        }
        return ReportTable(header: header, rows: rows)
    }

    public static func kindName(_ kind: SurveyQuestion.Kind) -> String {
        switch kind {
        case .rating: "rating 1–5"
        case .singleChoice: "single choice"
        case .freeText: "free text"
        }
    }
}

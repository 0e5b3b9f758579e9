import Foundation
import SpeedNetworking

/// A member as reports show them.
public struct ReportPerson: Sendable, Hashable {
    public var id: UUID
    public var username: String
    public var name: String

    public init(id: UUID, username: String, name: String) {
        self.id = id
        self.username = username
        self.name = name
    }
}

/// A session a report covers, with the questions its surveys asked (in their order).
public struct ReportSession: Sendable, Hashable {
    public var id: UUID
    public var title: String
    public var startsAt: Date
    public var questions: [SurveyQuestion]

    public init(id: UUID, title: String, startsAt: Date, questions: [SurveyQuestion]) {
        self.id = id
        self.title = title
        self.startsAt = startsAt
        self.questions = questions
    }
}

/// One answer as stored: the prompt and kind are those the member saw.
public struct ReportAnswer: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case rating, singleChoice = "single_choice", freeText = "free_text" }

    public var key: String
    public var prompt: String
    public var kind: Kind
    public var value: String

    public init(key: String, prompt: String, kind: Kind, value: String) {
        self.key = key
        self.prompt = prompt
        self.kind = kind
        self.value = value
    }

    /// The rating as a number (1–5), for ratings only.
    public var rating: Int? { kind == .rating ? Int(value) : nil }
}

/// One submitted survey: what `submitter` said about `target` after their conversation.
public struct Submission: Sendable, Hashable {
    public var id: UUID
    public var session: UUID
    public var pairing: UUID
    public var round: Int
    public var submitter: ReportPerson
    public var target: ReportPerson
    public var submittedAt: Date
    public var answers: [ReportAnswer]

    public init(id: UUID, session: UUID, pairing: UUID, round: Int, submitter: ReportPerson, target: ReportPerson,
                submittedAt: Date, answers: [ReportAnswer]) {
        self.id = id
        self.session = session
        self.pairing = pairing
        self.round = round
        self.submitter = submitter
        self.target = target
        self.submittedAt = submittedAt
        self.answers = answers
    }

    public func answer(_ key: String) -> ReportAnswer? { answers.first { $0.key == key } }
}

/// Everything a report is computed from: the sessions in scope and their submissions.
public struct ReportData: Sendable {
    public var sessions: [ReportSession]
    public var submissions: [Submission]

    public init(sessions: [ReportSession], submissions: [Submission]) {
        self.sessions = sessions
        self.submissions = submissions
    }

    public func session(_ id: UUID) -> ReportSession? { sessions.first { $0.id == id } }

    /// The questions asked in these sessions, each once (by key), in the order first asked
    /// (sessions by start time); a question seen only in answers comes after, as answered.
    public var questions: [SurveyQuestion] {
        var seen = Set<String>(), result: [SurveyQuestion] = []
        for session in sessions.sorted(by: { ($0.startsAt, $0.id.uuidString) < ($1.startsAt, $1.id.uuidString) }) {
            for question in session.questions where seen.insert(question.key).inserted { result.append(question) }
        }
        for submission in submissions {
            for answer in submission.answers where seen.insert(answer.key).inserted {
                let kind: SurveyQuestion.Kind = switch answer.kind {
                case .rating: .rating(low: "", high: "")
                case .singleChoice: .singleChoice(options: [])
                case .freeText: .freeText(maxLength: 2000)
                }
                result.append(SurveyQuestion(key: answer.key, prompt: answer.prompt, kind: kind))
            }
        }
        return result
    }

    /// Only the submissions about or by `person` (either side).
    public func involving(_ person: UUID) -> ReportData {
        ReportData(sessions: sessions, submissions: submissions.filter { $0.submitter.id == person || $0.target.id == person })
    }
}

import Foundation
import SpeedNetworking
import Matching
import Reports

/// A generated set of sessions and surveys, kept also as plain tuples so the tests can compute
/// what the reports must say without the code under test.
struct GeneratedDataset {
    /// One answer as generated: (session, pairing, round, submitter index, target index, key, value).
    struct Raw { var session: Int; var pairing: UUID; var round: Int; var from: Int; var about: Int; var key: String; var value: String }

    static let people: [ReportPerson] = [
        ("ana", "Ana Alvarez"), ("anna", "Müller, Anna"), ("zoe", "Zoë \"Z\" Quinn"), ("eq", "=HYPERLINK(\"http://x\")"),
        ("li", "李小龙"), ("olafur", "Ólafur Þórsson"), ("ben", "Ben Brook"), ("chen", "Chen Wei"), ("dara", "Dara Okafor"),
    ].enumerated().map { index, person in
        ReportPerson(id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", index + 1))!, username: person.0, name: person.1)
    }

    static let quality = SurveyBank.question(key: "conversation-quality")!
    static let connect = SurveyBank.question(key: "would-connect")!
    static let remember = SurveyBank.question(key: "remember")!
    static let energy = SurveyQuestion(key: "own-energy", prompt: "Energy, 1–5?", kind: .rating(low: "Low", high: "High"))
    static let track = SurveyQuestion(key: "own-track", prompt: "Which track?", kind: .singleChoice(options: ["Product", "Sales", "Never chosen"]))

    static let remarks = ["Builds boats, sells sails", "Said \"hello\" twice", "=1+2", "+44 20 7946 0000", "-minus", "@mention",
                          "Two\nlines", "Ünïcödé ✓", " leading space", "日本語のメモ"]

    var data: ReportData
    var raw: [Raw] = []
    /// Per pairing: which people met (indices) — for the mutual-interest check.
    var met: [(session: Int, pairing: UUID, round: Int, a: Int, b: Int)] = []

    init(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let base = Date(timeIntervalSince1970: 1_900_000_000)
        let sessions = [
            ReportSession(id: UUID(), title: "Autumn mixer", startsAt: base, questions: [Self.quality, Self.connect, Self.remember]),
            ReportSession(id: UUID(), title: "Winter, \"founders\"", startsAt: base + 86_400 * 7,
                          questions: [Self.connect, Self.energy, Self.quality, Self.track, Self.remember]),
            ReportSession(id: UUID(), title: "Quiet one", startsAt: base + 86_400 * 14, questions: [Self.quality]),
        ]
        var submissions: [Submission] = []
        var raw: [Raw] = []
        var met: [(Int, UUID, Int, Int, Int)] = []
        for (sessionIndex, session) in sessions.enumerated() {
            var pairsSeen = Set<[Int]>()
            for round in 1...3 {
                var people = Array(0..<Self.people.count).shuffled(using: &random)
                if sessionIndex == 2 { people = Array(people.prefix(2)) }  // a small session
                while people.count >= 2 {
                    let a = people.removeLast(), b = people.removeLast()
                    guard pairsSeen.insert([min(a, b), max(a, b)]).inserted else { continue }
                    let pairing = UUID()
                    met.append((sessionIndex, pairing, round, a, b))
                    for (from, about) in [(a, b), (b, a)] where Int.random(in: 0..<100, using: &random) < 85 {
                        var answers: [ReportAnswer] = []
                        for question in session.questions {
                            let value: String
                            switch question.kind {
                            case .rating: value = String(Int.random(in: 1...5, using: &random))
                            case .singleChoice(let options):
                                // "Never chosen" is never picked; "Yes" more often, so pairs agree.
                                let choices = question.key == "would-connect" ? ["Yes", "Yes", "Maybe", "No"] : Array(options.dropLast())
                                value = choices.randomElement(using: &random)!
                            case .freeText:
                                guard Bool.random(using: &random) else { continue }  // optional: often left out
                                value = Self.remarks.randomElement(using: &random)!
                            }
                            let kind: ReportAnswer.Kind = switch question.kind { case .rating: .rating; case .singleChoice: .singleChoice; case .freeText: .freeText }
                            answers.append(ReportAnswer(key: question.key, prompt: question.prompt, kind: kind, value: value))
                            raw.append(Raw(session: sessionIndex, pairing: pairing, round: round, from: from, about: about, key: question.key, value: value))
                        }
                        submissions.append(Submission(
                            id: UUID(), session: session.id, pairing: pairing, round: round, submitter: Self.people[from],
                            target: Self.people[about], submittedAt: session.startsAt + Double(round * 300 + from), answers: answers))
                    }
                }
            }
        }
        data = ReportData(sessions: sessions, submissions: submissions.shuffled(using: &random))
        self.raw = raw
        self.met = met
    }

    /// Mean as the reports must print it: hundredths rounded half up, worked out with Decimal.
    static func meanText(_ values: [Int]) -> String {
        var exact = Decimal(values.reduce(0, +)) / Decimal(values.count)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &exact, 2, .plain)
        let text = "\(rounded)"
        let parts = text.split(separator: ".")
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        return "\(parts[0]).\(fraction.padding(toLength: 2, withPad: "0", startingAt: 0))"
    }
}

import Foundation

/// The survey each member fills in about their partner after a round (DESIGN §4). Pure:
/// what a question is, what an answer to it may be, and the standard bank organizers pick from.
public struct SurveyQuestion: Sendable, Hashable, Codable {
    public enum Kind: Sendable, Hashable, Codable {
        /// 1 (lowest) to 5 (highest), with words for both ends.
        case rating(low: String, high: String)
        case singleChoice(options: [String])
        case freeText(maxLength: Int)
    }

    /// Stable across sessions, so reports can put answers to the same question together.
    public var key: String
    public var prompt: String
    public var kind: Kind
    public var required: Bool
    /// A single choice asking whether the member would like to connect with their partner;
    /// its first option means yes. Reports pair up the yeses (mutual interest). Absent (nil)
    /// in questions stored before it existed.
    public var asksToConnect: Bool?

    public init(key: String, prompt: String, kind: Kind, required: Bool = true, asksToConnect: Bool? = nil) {
        self.key = key
        self.prompt = prompt
        self.kind = kind
        self.required = required
        self.asksToConnect = asksToConnect
    }

    public var isRating: Bool { if case .rating = kind { true } else { false } }

    /// The answers that mean "yes, I would like to connect", or nil for other questions. The
    /// standard "would-connect" question's yes is "Yes".
    public var connectAnswers: Set<String>? {
        if key == "would-connect" { return ["Yes"] }
        guard asksToConnect == true, case .singleChoice(let options) = kind, let first = options.first else { return nil }
        return [first]
    }

    /// Why an answer is refused, or nil. An empty answer is fine for an optional question.
    public func problem(with answer: String) -> String? {
        let value = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        if value.isEmpty { return required ? "“\(prompt)” needs an answer." : nil }
        switch kind {
        case .rating:
            guard let number = Int(value), (1...5).contains(number) else { return "“\(prompt)”: choose from 1 to 5." }
            return nil
        case .singleChoice(let options):
            return options.contains(value) ? nil : "“\(prompt)”: choose one of the options."
        case .freeText(let maxLength):
            return value.unicodeScalars.count <= maxLength ? nil : "“\(prompt)”: at most \(maxLength) characters."
        }
    }

    /// Problems with the question itself, for organizers writing their own.
    public var definitionProblems: [String] {
        var problems: [String] = []
        if key.isEmpty || key.count > 60 { problems.append("A question needs a key of 1–60 characters.") }
        if prompt.trimmingCharacters(in: .whitespaces).isEmpty || prompt.unicodeScalars.count > 200 {
            problems.append("Write the question in 1–200 characters.")
        }
        switch kind {
        case .rating(let low, let high):
            if low.isEmpty || high.isEmpty { problems.append("Name both ends of the rating scale.") }
        case .singleChoice(let options):
            if options.count < 2 || options.count > 10 { problems.append("A single choice needs 2–10 options.") }
            if Set(options).count != options.count { problems.append("Each option must be different.") }
            if options.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) { problems.append("Options cannot be empty.") }
        case .freeText(let maxLength):
            if !(1...2000).contains(maxLength) { problems.append("A free-text answer can be 1–2000 characters long.") }
        }
        if asksToConnect == true, case .singleChoice = kind {} else if asksToConnect == true {
            problems.append("Only a question with one choice from a list can ask whether they want to connect.")
        }
        return problems
    }

    /// The questions of one survey: answers checked together, keyed by question key.
    public static func problems(_ questions: [SurveyQuestion], answers: [String: String]) -> [String] {
        questions.compactMap { $0.problem(with: answers[$0.key] ?? "") }
    }
}

/// The standard question bank: good questions of all three kinds that organizers pick and order.
public enum SurveyBank {
    public static let questions: [SurveyQuestion] = [
        SurveyQuestion(key: "conversation-quality", prompt: "How good was this conversation?",
                       kind: .rating(low: "Not useful", high: "Excellent")),
        SurveyQuestion(key: "would-connect", prompt: "Would you like to connect with this person?",
                       kind: .singleChoice(options: ["Yes", "Maybe", "No"])),
        SurveyQuestion(key: "meet-again", prompt: "Would you like to meet them again at a later session?",
                       kind: .singleChoice(options: ["Yes", "No"])),
        SurveyQuestion(key: "listened", prompt: "How well did they listen?",
                       kind: .rating(low: "Hardly", high: "Very well")),
        SurveyQuestion(key: "clarity", prompt: "How clearly did they explain what they do?",
                       kind: .rating(low: "Unclear", high: "Very clear")),
        SurveyQuestion(key: "relevance", prompt: "How relevant is their work to yours?",
                       kind: .rating(low: "Unrelated", high: "Very relevant")),
        SurveyQuestion(key: "energy", prompt: "How much energy did you get from talking to them?",
                       kind: .rating(low: "Drained", high: "Energised")),
        SurveyQuestion(key: "help-offered", prompt: "Did they offer help you could use?",
                       kind: .singleChoice(options: ["Yes, concrete help", "Some ideas", "No"])),
        SurveyQuestion(key: "follow-up", prompt: "What will you follow up on with them?",
                       kind: .freeText(maxLength: 500), required: false),
        SurveyQuestion(key: "remember", prompt: "One thing to remember about this person",
                       kind: .freeText(maxLength: 300), required: false),
        SurveyQuestion(key: "feedback-for-them", prompt: "A friendly tip for them (the organizer may pass it on)",
                       kind: .freeText(maxLength: 500), required: false),
        SurveyQuestion(key: "introduce-to", prompt: "Who should they meet next?",
                       kind: .freeText(maxLength: 200), required: false),
    ]

    public static func question(key: String) -> SurveyQuestion? { questions.first { $0.key == key } }
}

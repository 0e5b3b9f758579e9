import Foundation
import SpeedNetworking
import Store

/// The organizer's session form as typed: re-shown with every value kept when it is refused.
/// Times are `datetime-local` values read in the chosen zone; the survey is a set of ticked
/// question keys with an optional position number each.
struct SessionForm {
    var title = ""
    var description = ""
    var start = ""
    var end = ""
    var zone = "UTC"
    var roundMinutes = "5"
    var picked: [String] = []
    /// Position numbers as typed, by question key.
    var positions: [String: String] = [:]

    static let maxRoundMinutes = 60

    init() {}

    init(_ session: SpeedNetworkingSessionRecord) {
        title = session.title
        description = session.description
        zone = session.timeZone
        start = LocalTime.inputValue(session.startsAt, in: session.zone)
        end = LocalTime.inputValue(session.endsAt, in: session.zone)
        roundMinutes = String(session.roundSeconds / 60)
        picked = session.survey.map(\.key)
        for (index, key) in picked.enumerated() { positions[key] = String(index + 1) }
    }

    init(_ form: FormData) {
        title = form.text("title")
        description = form.text("description")
        start = form.text("starts_at")
        end = form.text("ends_at")
        zone = form.text("time_zone")
        roundMinutes = form.text("round_minutes")
        picked = form.all("question")
        for key in picked { positions[key] = form.text("position-\(key)") }
    }

    /// The checked form: a draft to store, or every problem found, each at its field.
    func validated(now: Date, catalogue: [SurveyQuestion]) -> Result<SpeedNetworkingSessionDraft, SessionFormErrors> {
        var problems = FormProblems()
        if title.isEmpty || title.unicodeScalars.count > 120 { problems.add("title", "Give the session a title of 1–120 characters.") }
        if description.unicodeScalars.count > 5000 {
            problems.add("description", "The description can be at most 5,000 characters; this one has \(description.unicodeScalars.count.formatted()).")
        }
        let zoneKnown = LocalTime.known(zone) != nil
        if !zoneKnown { problems.add("time_zone", "Choose the time zone of the start and end from the list.") }
        let timeZone = LocalTime.zone(zone)
        let startsAt = problems.instant(start, "start", field: "starts_at", in: timeZone, zoneName: zone)
        let endsAt = problems.instant(end, "end", field: "ends_at", in: timeZone, zoneName: zone)
        let minutes = Int(roundMinutes)
        if minutes == nil || !(1...Self.maxRoundMinutes).contains(minutes!) {
            problems.add("round_minutes", "The round length is a whole number of minutes from 1 to \(Self.maxRoundMinutes).")
        }
        if let startsAt, let endsAt, let minutes, (1...Self.maxRoundMinutes).contains(minutes) {
            for problem in SessionTimes.problems(start: startsAt, end: endsAt, round: .seconds(minutes * 60)) {
                problems.add(problem.contains("round") ? "round_minutes" : "ends_at", problem)
            }
        }
        if let startsAt, startsAt <= now { problems.add("starts_at", "The start must be in the future.") }
        let questions = survey(catalogue: catalogue, into: &problems)
        guard problems.isEmpty, let startsAt, let endsAt, let minutes else { return .failure(SessionFormErrors(problems: problems)) }
        return .success(SpeedNetworkingSessionDraft(title: title, description: description, startsAt: startsAt, endsAt: endsAt,
                                         roundSeconds: minutes * 60, timeZone: zone,
                                         questionsJSON: SurveyQuestion.encodeList(questions)))
    }

    /// The ticked questions in the chosen order: by position number, unnumbered ones after the
    /// numbered, ties in the order the catalogue lists them.
    private func survey(catalogue: [SurveyQuestion], into problems: inout FormProblems) -> [SurveyQuestion] {
        let unique = picked.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if unique.isEmpty { problems.add("questions", "Pick at least one survey question.") }
        var chosen: [(question: SurveyQuestion, position: Int, index: Int)] = []
        var badPosition = false, unknown = false
        for key in unique {
            guard let index = catalogue.firstIndex(where: { $0.key == key }) else { unknown = true; continue }
            let text = positions[key] ?? ""
            var position = Int.max
            if !text.isEmpty {
                if let number = Int(text), (1...99).contains(number) { position = number } else { badPosition = true }
            }
            chosen.append((catalogue[index], position, index))
        }
        if unknown { problems.add("questions", "A ticked question no longer exists; please pick the questions again.") }
        if badPosition { problems.add("questions", "A question's position is a whole number from 1 to 99 (or empty).") }
        if chosen.count > 20 { problems.add("questions", "Pick at most 20 questions: a survey after every conversation should be short.") }
        return chosen.sorted { ($0.position, $0.index) < ($1.position, $1.index) }.map(\.question)
    }
}

struct SessionFormErrors: Error {
    let messages: [String]
    /// The same, each at its field (the session form); the question form lists them.
    let problems: FormProblems

    init(messages: [String]) {
        self.messages = messages
        var problems = FormProblems()
        for message in messages { problems.add(message) }
        self.problems = problems
    }

    init(problems: FormProblems) {
        (self.messages, self.problems) = (problems.messages, problems)
    }
}

/// The organizer's own question form: prompt, kind, and the kind's details.
struct QuestionForm {
    var prompt = ""
    var kind = "rating"
    var low = "Not at all"
    var high = "Very much"
    var options = ""
    var maxLength = "300"
    var required = true
    var asksToConnect = false

    static let kinds = [("rating", "Rating from 1 to 5"), ("single_choice", "One choice from a list"),
                        ("free_text", "Free text")]

    init() {}

    init(_ form: FormData) {
        prompt = form.text("prompt")
        kind = form.text("kind")
        low = form.text("low")
        high = form.text("high")
        options = form.text("options")
        maxLength = form.text("max_length")
        required = form["required"] == "on"
        asksToConnect = form["asks_to_connect"] == "on"
    }

    var optionList: [String] {
        options.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The question with a fresh key, or the problems found (those of `definitionProblems` included).
    func question(key: String) -> Result<SurveyQuestion, SessionFormErrors> {
        var errors: [String] = []
        let questionKind: SurveyQuestion.Kind
        switch kind {
        case "rating":
            if low.unicodeScalars.count > 40 || high.unicodeScalars.count > 40 { errors.append("The words for the ends of the scale are at most 40 characters.") }
            questionKind = .rating(low: low, high: high)
        case "single_choice":
            if optionList.contains(where: { $0.unicodeScalars.count > 100 }) { errors.append("An option can be at most 100 characters.") }
            questionKind = .singleChoice(options: optionList)
        case "free_text":
            guard let length = Int(maxLength) else {
                return .failure(SessionFormErrors(messages: errors + ["Give the longest answer as a whole number of characters."]))
            }
            questionKind = .freeText(maxLength: length)
        default:
            return .failure(SessionFormErrors(messages: ["Choose what kind of answer the question takes."]))
        }
        let question = SurveyQuestion(key: key, prompt: prompt, kind: questionKind, required: required,
                                      asksToConnect: asksToConnect ? true : nil)
        errors += question.definitionProblems
        return errors.isEmpty ? .success(question) : .failure(SessionFormErrors(messages: errors))
    }
}

extension FormProblems {
    /// A `datetime-local` field read in `timeZone`: the instant, or nil with the problem recorded
    /// at `field` (the session and meeting forms).
    mutating func instant(_ text: String, _ name: String, field: String, in timeZone: TimeZone, zoneName: String) -> Date? {
        switch LocalTime.parse(text, in: timeZone) {
        case .instant(let date): return date
        case .malformed: add(field, "Give the \(name) as a date and a time."); return nil
        case .skipped: add(field, "The \(name) time does not exist in \(zoneName): the clocks change then."); return nil
        }
    }
}

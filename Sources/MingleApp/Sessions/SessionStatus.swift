import Foundation
import SpeedNetworking
import Store

/// Where a stored session is for the people who see it: the timeline's phase (DESIGN §4),
/// or cancelled, which overrides it.
enum SessionStatus: String, Sendable {
    case scheduled, lobbyOpen, running, ended, cancelled

    var label: String {
        switch self {
        case .scheduled: "scheduled"
        case .lobbyOpen: "lobby open"
        case .running: "running"
        case .ended: "ended"
        case .cancelled: "cancelled"
        }
    }

    /// The badge class of the stylesheet.
    var badge: String {
        switch self {
        case .scheduled: "info"
        case .lobbyOpen, .running: "ok"
        case .ended, .cancelled: "warn"
        }
    }
}

extension SpeedNetworkingSessionRecord {
    /// The stored durations as the engine's timeline. The table's checks keep a stored row
    /// valid, so nil means a row written by something else than the app.
    var times: SessionTimes? {
        try? SessionTimes(start: startsAt, end: endsAt, round: .seconds(roundSeconds), grace: .seconds(graceSeconds),
                          lead: .seconds(leadSeconds), teardown: .seconds(teardownSeconds))
    }

    /// The timeline phase at `now`; a row that does not make a timeline counts as closed.
    func phase(at now: Date) -> SessionPhase { times?.phase(at: now) ?? .closed }

    func status(at now: Date) -> SessionStatus {
        if isCancelled { return .cancelled }
        switch phase(at: now) {
        case .scheduled: return .scheduled
        case .lobby: return .lobbyOpen
        case .running: return .running
        case .ended, .closed: return .ended
        }
    }

    /// Members may go to the live room: the lobby exists and the session is not cancelled.
    func roomOpen(at now: Date) -> Bool { !isCancelled && phase(at: now).canEnter }

    /// The organizer may still change or cancel it: not cancelled and the lobby not yet open.
    func changeable(at now: Date) -> Bool { !isCancelled && phase(at: now) == .scheduled }

    /// The frozen survey, in order.
    var survey: [SurveyQuestion] {
        (try? JSONDecoder().decode([SurveyQuestion].self, from: Data(questionsJSON.utf8))) ?? []
    }

    var zone: TimeZone { LocalTime.zone(timeZone) }

    /// "Tuesday 14 May 2026, 18:00–19:00 (Europe/Paris, UTC+02:00)" in the reader's zone.
    func when(in reader: TimeZone) -> String { LocalTime.describe(start: startsAt, end: endsAt, in: reader) }

    var path: String { "/sessions/\(id.uuidString.lowercased())" }
}

extension SurveyQuestion {
    /// One line saying what kind of answer the question takes.
    var kindDescription: String {
        switch kind {
        case .rating(let low, let high): "Rating 1–5, from “\(low)” to “\(high)”"
        case .singleChoice(let options):
            "One of: \(options.joined(separator: " · "))" + (asksToConnect == true ? " — asks whether they want to connect" : "")
        case .freeText(let maxLength): "Free text, up to \(maxLength) characters"
        }
    }

    /// A survey as stored in `live_sessions.questions`.
    static func encodeList(_ questions: [SurveyQuestion]) -> String { json(questions) ?? "[]" }

    /// One question as stored in `survey_questions.definition`.
    var json: String { Self.json(self) ?? "{}" }

    private static func json(_ value: some Encodable) -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }

    static func decode(_ json: String) -> SurveyQuestion? {
        try? JSONDecoder().decode(SurveyQuestion.self, from: Data(json.utf8))
    }
}

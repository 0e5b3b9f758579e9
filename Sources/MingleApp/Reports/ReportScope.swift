import Foundation
import Hummingbird
import SpeedNetworking
import Reports
import Store

/// Which sessions a report covers: one session, or those whose start (on their own calendar,
/// in the session's time zone) falls between two dates, both included; by default every
/// session that has started. Read from the query string; bad values are a 400.
struct ReportScope: Sendable, Equatable {
    var session: UUID?
    var since: String = ""
    var until: String = ""

    init(session: UUID? = nil, since: String = "", until: String = "") {
        self.session = session
        self.since = since
        self.until = until
    }

    init(_ request: Request) throws {
        try self.init(checking: request.queryValue("session"), since: request.queryValue("since"), until: request.queryValue("until"))
    }

    /// From a query string or a form: a bad value is a 400, never a wider scope.
    init(checking session: String?, since: String?, until: String?) throws {
        if let text = session, !text.isEmpty {
            guard let id = UUID(uuidString: text) else { throw HTTPError(.badRequest, message: "That is not a session of this site.") }
            self.session = id
        }
        self.since = since ?? ""
        self.until = until ?? ""
        for (name, value) in [("start", self.since), ("end", self.until)] where !value.isEmpty && Self.day(value) == nil {
            throw HTTPError(.badRequest, message: "Give the \(name) date as YYYY-MM-DD.")
        }
        if let a = Self.day(self.since), let b = Self.day(self.until), b.lexicographicallyPrecedes(a) {
            throw HTTPError(.badRequest, message: "The start date must not be after the end date.")
        }
    }

    /// "2026-11-21" as (year, month, day), or nil.
    static func day(_ text: String) -> [Int]? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == 3, (1...12).contains(numbers[1]), (1...31).contains(numbers[2]) else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (numbers[0], numbers[1], numbers[2])
        guard components.isValidDate(in: Calendar(identifier: .gregorian)) else { return nil }
        return numbers
    }

    /// The sessions in scope, earliest first: not cancelled, already started.
    func sessions(_ all: [SpeedNetworkingSessionRecord], now: Date) -> [SpeedNetworkingSessionRecord] {
        all.filter { record in
            guard !record.isCancelled, record.startsAt <= now else { return false }
            if let session { return record.id == session }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = record.zone
            let parts = calendar.dateComponents([.year, .month, .day], from: record.startsAt)
            let local = [parts.year ?? 0, parts.month ?? 0, parts.day ?? 0]
            if let from = Self.day(since), local.lexicographicallyPrecedes(from) { return false }
            if let to = Self.day(until), to.lexicographicallyPrecedes(local) { return false }
            return true
        }
        .sorted { ($0.startsAt, $0.id.uuidString) < ($1.startsAt, $1.id.uuidString) }
    }

    /// The scope as query parameters, for links that keep it.
    var query: String {
        var parts: [String] = []
        if let session { parts.append("session=\(session.uuidString.lowercased())") }
        if !since.isEmpty { parts.append("since=\(since)") }
        if !until.isEmpty { parts.append("until=\(until)") }
        return parts.joined(separator: "&")
    }

    /// In words, for titles and the page's summary line.
    func describe(_ sessions: [SpeedNetworkingSessionRecord], zone: TimeZone) -> String {
        if session != nil, let only = sessions.first { return "“\(only.title)”, \(only.when(in: zone))" }
        switch (since.isEmpty, until.isEmpty) {
        case (true, true): return "all sessions so far"
        case (false, true): return "sessions from \(since)"
        case (true, false): return "sessions until \(until)"
        case (false, false): return "sessions from \(since) to \(until)"
        }
    }
}

extension ReportData {
    /// The report model of stored sessions and survey responses.
    init(sessions: [SpeedNetworkingSessionRecord], responses: [SurveyResponseRecord]) {
        func person(_ p: SurveyPerson) -> ReportPerson { ReportPerson(id: p.id, username: p.username, name: p.displayName) }
        self.init(
            sessions: sessions.map { ReportSession(id: $0.id, title: $0.title, startsAt: $0.startsAt, questions: $0.survey) },
            submissions: responses.map { response in
                Submission(id: response.id, session: response.session, pairing: response.pairing, round: response.round,
                           submitter: person(response.submitter), target: person(response.target), submittedAt: response.submittedAt,
                           answers: response.answers.map {
                               ReportAnswer(key: $0.key, prompt: $0.prompt, kind: ReportAnswer.Kind(rawValue: $0.kind) ?? .freeText, value: $0.value)
                           })
            })
    }
}

extension ReportTable {
    /// The table as a CSV file download (never cached: it holds members' answers).
    func download(name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(name).csv\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: csv)))
    }
}

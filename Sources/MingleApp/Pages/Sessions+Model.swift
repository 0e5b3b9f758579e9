import Foundation
import Store

/// One live session for members: a row of `/sessions`, and with `details` its own page.
struct SessionModel: Encodable, Equatable {
    var id: String
    var title: String
    var when: String
    var status: String
    var badge: String
    var cancelled: Bool
    var roomOpen: Bool
    var path: String
    // Only on the session's own page:
    var description: String?
    var descriptionText: LinkedText?
    var round: String?
    var lead: String?
    var questions: String?
    /// What happens next, by where the session is at `now`.
    var next: String?
    /// "Will you come?", for a member who holds an invitation.
    var answer: InvitationAnswerModel?

    /// The row of the list.
    init(_ session: SpeedNetworkingSessionRecord, now: Date, zone: TimeZone) {
        let status = session.status(at: now)
        (id, title, when, path) = (session.id.uuidString.lowercased(), session.title, session.when(in: zone), session.path)
        (self.status, badge) = (status.label, status.badge)
        (cancelled, roomOpen) = (session.isCancelled, session.roomOpen(at: now))
    }

    /// The session's own page.
    static func details(_ session: SpeedNetworkingSessionRecord, now: Date, zone: TimeZone, invitation: InvitationRecord? = nil) -> SessionModel {
        var model = SessionModel(session, now: now, zone: zone)
        model.answer = invitation.map { InvitationAnswerModel(invitation: $0, session: session, action: session.path + "/answer", now: now) }
        model.description = session.description
        model.descriptionText = LinkedText(session.description)
        model.round = SessionsController.count(session.roundSeconds / 60, "minute", "minutes")
            + (session.graceSeconds > 0 ? " + \(SessionsController.count(max(1, session.graceSeconds / 60), "minute", "minutes")) to say goodbye" : "")
        model.lead = SessionsController.count(session.leadSeconds / 60, "minute", "minutes")
        model.questions = SessionsController.count(session.survey.count, "short question", "short questions")
        if let times = session.times, !session.isCancelled {
            switch session.status(at: now) {
            case .scheduled:
                model.next = "The lobby opens at \(LocalTime.shortWithZone(times.lobbyOpens, in: zone))."
            case .lobbyOpen:
                model.next = "The lobby is open; the session starts at \(LocalTime.shortWithZone(times.start, in: zone))."
            case .running:
                model.next = "The session is running: enter the live room and press Meet someone."
            case .ended, .cancelled:
                model.next = now < times.closes ? "The session has ended; the room closes soon." : "This session is over."
            }
        }
        return model
    }
}

/// The upcoming sessions (`/sessions`), and for members their private calendar feed.
struct SessionsModel: Encodable, Equatable {
    var sessions: [SessionModel]
    var empty: Bool
    var feedURL: String?

    init(_ sessions: [SpeedNetworkingSessionRecord], now: Date, feedURL: String?, zone: TimeZone) {
        self.sessions = sessions.map { SessionModel($0, now: now, zone: zone) }
        (empty, self.feedURL) = (sessions.isEmpty, feedURL)
    }
}

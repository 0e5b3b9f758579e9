import Foundation
import RealTime

/// A second activity, written only for the tests, to prove that a new activity plugs into the
/// real-time layer without any change to speed networking: an echo room. Whatever someone
/// says is said to everyone in it; the first person in is the only one who may publish video
/// (one room, "stage"); everyone else may watch them.
actor EchoRoom: Activity {
    enum Request: ActivityRequest {
        case say(String)
        private enum Keys: String, CodingKey { case text }
        init(type: String, data: (any Decoder)?) throws {
            guard type == "say" else { throw unknownRequest(type) }
            let text = try requireData(data, type).container(keyedBy: Keys.self).decode(String.self, forKey: .text)
            guard !text.isEmpty else { throw ActivityRefusal("empty", "Say something.") }
            self = .say(text)
        }
    }

    enum Event: ActivityEvent {
        case said(by: String, text: String)
        case stage(publisher: UUID?, publishing: Bool)
        var type: String {
            switch self {
            case .said: "said"
            case .stage: "stage"
            }
        }
        private struct Said: Encodable { var by: String; var text: String }
        private struct Stage: Encodable { var publisher: UUID?; var publishing: Bool }
        func encodeData(to encoder: any Encoder) throws {
            switch self {
            case .said(let by, let text): try Said(by: by, text: text).encode(to: encoder)
            case .stage(let publisher, let publishing): try Stage(publisher: publisher, publishing: publishing).encode(to: encoder)
            }
        }
    }

    nonisolated let key: ActivityKey
    nonisolated let title = "Echo room"
    private var people: [ConnectionID: (participant: Participant, outbox: ActivityOutbox<Event>)] = [:]
    private var next: ConnectionID = 0
    private var publisher: UUID?
    private var publishing = false
    private(set) var isClosed = false
    private var media: (any MediaRoomControl)?

    init(key: ActivityKey) { self.key = key }

    func enter(_ participant: Participant, outbox: ActivityOutbox<Event>) async throws -> ConnectionID {
        guard !isClosed else { throw ActivityRefusal.closed }
        let id = next
        next += 1
        people[id] = (participant, outbox)
        if publisher == nil { publisher = participant.id }
        _ = outbox.send(.stage(publisher: publisher, publishing: publishing))
        return id
    }

    func leave(_ connection: ConnectionID) async {
        people.removeValue(forKey: connection)?.outbox.finish()
    }

    func receive(_ request: Request, from connection: ConnectionID) async throws {
        guard let speaker = people[connection]?.participant else { return }
        switch request {
        case .say(let text):
            for person in people.values { _ = person.outbox.send(.said(by: speaker.name, text: text)) }
        }
    }

    func run() async {
        while !isClosed && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(50)) }
    }

    func shutdown() async { close() }

    /// Ends the room: everyone is disconnected and its media room goes.
    func close() {
        isClosed = true
        for person in people.values { person.outbox.finish() }
        people = [:]
    }

    func attach(media: any MediaRoomControl) { self.media = media }

    func mediaRoom(_ room: String) -> MediaRoomSpec? { room == "stage" && !isClosed ? MediaRoomSpec(publishers: 1) : nil }
    func mayPublish(_ user: UUID, in room: String) -> Bool { room == "stage" && user == publisher }
    func mayWatch(_ user: UUID, publisher: UUID, in room: String) -> Bool { room == "stage" && publisher == self.publisher && publishing }
    func mayModerate(_ user: UUID, in room: String) -> Bool { false }
    func setPublishing(_ user: UUID, in room: String, _ on: Bool) {
        guard user == publisher else { return }
        publishing = on
        for person in people.values { _ = person.outbox.send(.stage(publisher: publisher, publishing: on)) }
    }
    func mediaLost() { setPublishing(publisher ?? UUID(), in: "stage", false) }
}

/// Loads echo rooms: the ids the test opened exist, every other id does not.
struct EchoLoader: ActivityLoader {
    static let kind = ActivityKind("echo")
    let open: Set<UUID>
    var kind: ActivityKind { Self.kind }

    func load(_ key: ActivityKey) async throws -> (any Activity)? {
        open.contains(key.id) ? EchoRoom(key: key) : nil
    }

    func unfinished() async throws -> [ActivityKey] { [] }
}

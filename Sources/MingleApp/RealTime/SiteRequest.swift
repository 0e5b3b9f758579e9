import Foundation
import RealTime

/// What a page asks of the site itself over its socket (envelopes without an `activity`).
enum SiteRequest: ActivityRequest {
    /// Keeps the connection alive; answered with `pong`.
    case ping
    /// The page showed the conversation with `with` up to message `upTo`.
    case read(with: String, upTo: Int)

    private enum Keys: String, CodingKey { case with, upTo }

    init(type: String, data: (any Decoder)?) throws {
        switch type {
        case "ping": self = .ping
        case "read":
            let container = try requireData(data, type).container(keyedBy: Keys.self)
            let username = try container.decode(String.self, forKey: .with)
            guard username.count <= 64 else { throw ActivityRefusal("bad-message", "No such person.") }
            self = .read(with: username, upTo: try container.decode(Int.self, forKey: .upTo))
        default:
            throw unknownRequest(type)
        }
    }
}

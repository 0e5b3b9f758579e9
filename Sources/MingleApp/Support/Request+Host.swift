import Foundation
import Hummingbird
import HTTPTypes

extension Request {
    /// The host the request was sent to, lowercased: the Host header (HTTP/1.1), else the
    /// request's authority (HTTP/2, or where the server moved Host into it).
    var host: String {
        (headers[Self.hostField] ?? head.authority ?? "").lowercased()
    }

    /// HTTPTypes hides `.host` because the HTTP/1 server moves it into `authority`; a Host
    /// header still present (as Hummingbird's router tests send it) is the truth.
    private static let hostField = HTTPField.Name("Host")!
}

extension Request {
    /// A query parameter decoded as browsers encode GET forms (`+` is a space), which
    /// Hummingbird's `queryParameters` leaves as `+`.
    /// Control characters are dropped (PostgreSQL refuses NUL; nothing needs the others).
    func queryValue(_ name: String) -> String? {
        FormData.urlEncoded(uri.query ?? "")[name].map { value in
            String(String.UnicodeScalarView(value.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }))
        }
    }
}

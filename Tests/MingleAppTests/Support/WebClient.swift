import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What a test sees of a response.
struct Page {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: String
    let bytes: [UInt8]

    var location: String? { headers[.location] }

    /// The CSRF token of the first form on the page.
    var csrf: String? {
        guard let range = body.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        return String(body[range]).components(separatedBy: "value=\"").last.map { String($0.dropLast()) }
    }

    func contains(_ text: String) -> Bool { body.contains(text) }
}

/// Of labelled answers, those that are anything but a 404 without a redirect (a flash, a
/// success, another error), for an expectation's message.
func notNotFound(_ answers: [(String, Page)]) -> [String] {
    answers.filter { $0.1.status != .notFound || $0.1.location != nil }.map { "\($0.0): \($0.1.status)" }
}

/// A browser stand-in over Hummingbird's test client: one cookie jar per host (cookies are
/// host-only), form posts with the page's CSRF token, no redirects followed.
struct WebClient {
    let client: any TestClientProtocol
    var jars: [String: [String: String]] = [:]
    /// Sent as X-Forwarded-For (the test app trusts it), to act from different addresses.
    var address = "192.0.2.10"

    init(_ client: any TestClientProtocol) { self.client = client }

    mutating func get(_ url: String, headers extra: HTTPFields = [:]) async throws -> Page {
        try await send(.get, url, body: nil, contentType: nil, headers: extra)
    }

    /// Posts `fields` url-encoded; `csrf` nil takes the token from a fresh GET of `formURL` (or `url`).
    mutating func post(_ url: String, _ fields: [(String, String)], csrf: String? = nil, formURL: String? = nil) async throws -> Page {
        var fields = fields
        if let token = try await token(csrf, formURL ?? url) { fields.append(("_csrf", token)) }
        let body = fields.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.post, url, body: Array(body.utf8), contentType: "application/x-www-form-urlencoded")
    }

    /// A multipart post, as a browser sends a form with a file input.
    mutating func postMultipart(_ url: String, fields: [(String, String)], files: [(name: String, filename: String, type: String, bytes: [UInt8])],
                                formURL: String) async throws -> Page {
        let boundary = "----mingle-test-\(UUID().uuidString)"
        var body: [UInt8] = []
        func line(_ s: String) { body += Array((s + "\r\n").utf8) }
        var all = fields
        if let token = try await token(nil, formURL) { all.append(("_csrf", token)) }
        for (name, value) in all {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"\(name)\"")
            line("")
            line(value)
        }
        for file in files {
            line("--\(boundary)")
            line("Content-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"")
            line("Content-Type: \(file.type)")
            line("")
            body += file.bytes
            line("")
        }
        line("--\(boundary)--")
        return try await send(.post, url, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    private mutating func token(_ given: String?, _ formURL: String) async throws -> String? {
        if let given { return given.isEmpty ? nil : given }
        return try await get(formURL).csrf
    }

    mutating func send(_ method: HTTPRequest.Method, _ url: String, body: [UInt8]?, contentType: String?,
                       headers extra: HTTPFields = [:]) async throws -> Page {
        let (host, path) = Self.split(url)
        var headers: HTTPFields = [:]
        headers[HTTPField.Name("Host")!] = host
        headers[.init("X-Forwarded-For")!] = address
        if let contentType { headers[.contentType] = contentType }
        if let cookies = cookieHeader(host: host) { headers[.cookie] = cookies }
        for field in extra { headers[field.name] = field.value }
        let response = try await client.execute(uri: path, method: method, headers: headers,
                                                body: body.map { ByteBuffer(bytes: $0) })
        for setCookie in response.headers[values: .setCookie] { store(setCookie, host: host) }
        let bytes = Array(response.body.readableBytesView)
        return Page(status: response.status, headers: response.headers, body: String(decoding: bytes, as: UTF8.self), bytes: bytes)
    }

    mutating func store(_ setCookie: String, host: String) {
        let first = setCookie.split(separator: ";")[0]
        let parts = first.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        if setCookie.contains("Max-Age=0") || parts[1].isEmpty { jars[host, default: [:]][parts[0]] = nil }
        else { jars[host, default: [:]][parts[0]] = parts[1] }
    }

    func cookie(_ name: String, host: String) -> String? { jars[host]?[name] }

    /// The Cookie header this client sends to `host`.
    func cookieHeader(host: String) -> String? {
        guard let jar = jars[host], !jar.isEmpty else { return nil }
        return jar.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ")
    }

    mutating func setCookie(_ name: String, _ value: String?, host: String) { jars[host, default: [:]][name] = value }

    /// `http://acme.mingle.test/x?y` → ("acme.mingle.test", "/x?y"); a bare path goes to the platform host.
    static func split(_ url: String) -> (String, String) {
        guard url.hasPrefix("http://") else { return (TestApp.rootHost, url) }
        let rest = url.dropFirst(7)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        return (String(rest[..<slash]), slash == rest.endIndex ? "/" : String(rest[slash...]))
    }

    static func encode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }
}

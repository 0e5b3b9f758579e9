import CCurl
import Foundation
import NIOPosix

/// One HTTP request for `CurlHTTPClient`.
public struct HTTPCall: Sendable {
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`… (upper case).
    public var method: String
    /// An absolute `http://` or `https://` URL; other schemes are refused.
    public var url: String
    /// Request headers in order. Names and values must not contain CR or LF.
    public var headers: [(String, String)]
    /// The request body; empty for none.
    public var body: [UInt8]
    /// The limit for the whole exchange, connecting included (connecting alone is limited to 10 s).
    public var timeoutSeconds: Int

    public init(method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8] = [],
                timeoutSeconds: Int = 30) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutSeconds = timeoutSeconds
    }
}

/// A complete HTTP response. Any status is a reply, not an error: callers decide what 4xx/5xx mean.
public struct HTTPReply: Sendable {
    public var status: Int
    /// Header names lower-cased; a repeated header keeps its values joined by ", ".
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The request could not be made or no complete response arrived (refused connection, DNS,
/// TLS verification, timeout, oversized response, malformed request).
public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(description: String) { self.description = description }
}

/// HTTP/1.1 and HTTP/2 over libcurl, with TLS certificate and host verification on (libcurl's
/// defaults, never turned off here), no redirects followed, and only `http` and `https` allowed.
/// Proxies come from libcurl's usual environment variables (`https_proxy`, `no_proxy`…).
public struct CurlHTTPClient: Sendable {
    /// Blocking transfers get threads of their own, so a slow PayPal (or a flood of webhook
    /// checks) cannot starve bcrypt and the mail worker on the shared pool.
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    /// Responses larger than this are abandoned with an `HTTPClientError`.
    public var maxResponseBytes: Int

    public init(maxResponseBytes: Int = 8 << 20) {
        self.maxResponseBytes = maxResponseBytes
    }

    /// Performs the request on a thread from NIO's blocking pool, keeping the async executor free.
    public func send(_ call: HTTPCall) async throws -> HTTPReply {
        try await Self.pool.runIfActive { try self.perform(call) }
    }

    /// Performs the request on the calling thread, blocking it until the response is complete.
    public func perform(_ call: HTTPCall) throws -> HTTPReply {
        let method = call.method.uppercased()
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else {
            throw HTTPClientError(description: "refusing a malformed HTTP method")
        }
        let lowerURL = call.url.lowercased()
        guard lowerURL.hasPrefix("http://") || lowerURL.hasPrefix("https://") else {
            throw HTTPClientError(description: "refusing a URL that is not http:// or https://")
        }
        guard !call.url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw HTTPClientError(description: "refusing a URL with spaces or control characters")
        }
        for (name, value) in call.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte),
                  !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw HTTPClientError(description: "refusing a malformed request header")
            }
        }

        guard Curl.initialized, let handle = curl_easy_init() else {
            throw HTTPClientError(description: "libcurl did not start")
        }
        defer { curl_easy_cleanup(handle) }

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        // An empty `Expect:` stops libcurl waiting for `100 Continue` before larger bodies.
        for line in call.headers.map({ "\($0.0): \($0.1)" }) + ["Expect:"] {
            guard let appended = curl_slist_append(headerList, line) else {
                throw HTTPClientError(description: "out of memory building request headers")
            }
            headerList = appended
        }

        let sink = ResponseSink(limit: maxResponseBytes)
        let retained = Unmanaged.passRetained(sink)
        defer { retained.release() }

        var failures: [CURLcode] = []
        func check(_ code: CURLcode) { if code != CURLE_OK { failures.append(code) } }
        var strings: [String] = []   // kept alive until perform returns (libcurl copies most, not all)
        func set(_ option: CURLoption, _ value: String) {
            strings.append(value)
            check(value.withCString { mingle_curl_setopt_ptr(handle, option, $0) })
        }

        set(CURLOPT_URL, call.url)
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        set(CURLOPT_USERAGENT, "Mingle/1.0 (libcurl)")
        check(mingle_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        check(mingle_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        check(mingle_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 10))
        check(mingle_curl_setopt_long(handle, CURLOPT_TIMEOUT, max(1, call.timeoutSeconds)))
        check(mingle_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        check(mingle_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        check(mingle_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headerList))
        check(mingle_curl_setopt_write(handle, CURLOPT_WRITEFUNCTION, curlBodyCallback))
        check(mingle_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, retained.toOpaque()))
        check(mingle_curl_setopt_write(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        check(mingle_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, retained.toOpaque()))

        switch method {
        case "GET" where call.body.isEmpty:
            check(mingle_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case "HEAD" where call.body.isEmpty:
            check(mingle_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
        default:
            // POSTFIELDSIZE first: COPYPOSTFIELDS copies exactly that many bytes, so bodies may
            // contain NUL bytes. The one-byte buffer gives an empty body a valid pointer.
            check(mingle_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, call.body.count))
            let bytes = call.body.isEmpty ? [0] : call.body
            check(bytes.withUnsafeBytes { mingle_curl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) })
            if method != "POST" { set(CURLOPT_CUSTOMREQUEST, method) }
        }
        guard failures.isEmpty else {
            throw HTTPClientError(description: "libcurl refused an option: \(failures.map(Curl.message).joined(separator: "; "))")
        }

        // libcurl writes a more specific explanation here than the error code's text.
        var detail = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code = detail.withUnsafeMutableBufferPointer { buffer -> CURLcode in
            _ = mingle_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            let code = curl_easy_perform(handle)
            _ = mingle_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, nil)
            return code
        }
        withExtendedLifetime(strings) {}
        let host = Self.hostForMessages(call.url)
        guard code == CURLE_OK else {
            if sink.overflowed {
                throw HTTPClientError(description: "HTTP \(method) to \(host) failed: the response exceeded \(maxResponseBytes) bytes")
            }
            let said = detail.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw HTTPClientError(description: "HTTP \(method) to \(host) failed: \(Curl.message(code))\(said.isEmpty ? "" : " (\(said))")")
        }
        var status = 0
        _ = mingle_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard status > 0 else {
            throw HTTPClientError(description: "HTTP \(method) to \(host) failed: no status line in the response")
        }
        return HTTPReply(status: status, headers: sink.headers, body: sink.body)
    }

    /// Scheme and authority only: paths and queries may carry tokens that do not belong in logs.
    static func hostForMessages(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return "(malformed URL)" }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let withoutUser = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? authority
        return String(url[..<schemeEnd.upperBound]) + withoutUser
    }
}

/// RFC 9110 token characters, for methods and header names.
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return true
    default:
        return "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }
}

/// Collects a response from libcurl's callbacks. Only touched by the one thread running
/// curl_easy_perform for this handle, and read by it after perform returns.
final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var overflowed = false

    init(limit: Int) { self.limit = limit }

    func header(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            headers = [:]   // a new response (after 100 Continue, or a proxy's CONNECT): start over
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].lowercased()
        let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        if let existing = headers[name] {
            headers[name] = existing + ", " + value
        } else {
            headers[name] = value
        }
    }
}

let curlBodyCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, userdata in
    guard let userdata else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let n = size * count
    guard n > 0, let buffer else { return n }
    guard sink.body.count + n <= sink.limit else {
        sink.overflowed = true
        return 0   // anything but n makes libcurl stop with CURLE_WRITE_ERROR
    }
    sink.body.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: n))
    return n
}

let curlHeaderCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, userdata in
    guard let userdata else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let n = size * count
    guard n > 0, let buffer else { return n }
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: n), as: UTF8.self)
    sink.header(line)
    return n
}

import CCurl
import Foundation

public struct SMTPSettings: Sendable, Equatable {
    /// `smtp://host:port` or `smtps://host:port`.
    public var url: String
    /// The envelope and header sender address.
    public var fromAddress: String
    public var username: String?
    public var password: String?
    /// Require STARTTLS on `smtp://` URLs.
    public var requireTLS: Bool
    public var timeoutSeconds: Int

    public init(url: String, fromAddress: String, username: String? = nil, password: String? = nil,
                requireTLS: Bool = false, timeoutSeconds: Int = 20) {
        self.url = url
        self.fromAddress = fromAddress
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
        self.timeoutSeconds = timeoutSeconds
    }
}

public struct SMTPError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Sends one message through libcurl's SMTP client. Blocking: call it off the async executor.
public struct SMTPClient: Sendable {
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) { self.settings = settings }

    public func send(to recipient: String, message: [UInt8]) throws {
        guard !recipient.isEmpty, recipient == MailMessage.address(recipient), recipient.contains("@") else {
            throw SMTPError(description: "refusing to send to a malformed address")
        }
        guard Curl.initialized, let handle = curl_easy_init() else { throw SMTPError(description: "libcurl did not start") }
        defer { curl_easy_cleanup(handle) }
        let recipients = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }
        let source = UploadSource(message)
        let retained = Unmanaged.passRetained(source)
        defer { retained.release() }

        var strings: [String] = []   // kept alive until perform returns (libcurl copies most, not all)
        func set(_ option: CURLoption, _ value: String) {
            strings.append(value)
            _ = value.withCString { mingle_curl_setopt_ptr(handle, option, $0) }
        }
        set(CURLOPT_URL, settings.url)
        set(CURLOPT_MAIL_FROM, "<\(settings.fromAddress)>")
        if let username = settings.username { set(CURLOPT_USERNAME, username) }
        if let password = settings.password { set(CURLOPT_PASSWORD, password) }
        _ = mingle_curl_setopt_ptr(handle, CURLOPT_MAIL_RCPT, recipients)
        _ = mingle_curl_setopt_write(handle, CURLOPT_READFUNCTION, curlReadCallback)
        _ = mingle_curl_setopt_ptr(handle, CURLOPT_READDATA, retained.toOpaque())
        _ = mingle_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
        _ = mingle_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = mingle_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, 10)
        _ = mingle_curl_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeoutSeconds)
        if settings.requireTLS { _ = mingle_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }

        // libcurl writes the server's own words here, which say more than the error code.
        var detail = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code = detail.withUnsafeMutableBufferPointer { buffer -> CURLcode in
            _ = mingle_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            return curl_easy_perform(handle)
        }
        withExtendedLifetime(strings) {}
        guard code == CURLE_OK else {
            let serverSaid = String(cString: detail)
            throw SMTPError(description: "SMTP delivery failed: \(Curl.message(code))\(serverSaid.isEmpty ? "" : " (\(serverSaid))")")
        }
    }
}

import Foundation
import Synchronization

/// A tenant's PayPal REST app. `description` never shows the secret.
public struct PayPalCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var clientID: String
    public var secret: String

    public init(clientID: String, secret: String) {
        self.clientID = clientID
        self.secret = secret
    }

    public var description: String { "PayPalCredentials(clientID: \(clientID), secret: <redacted>)" }
    public var debugDescription: String { description }
}

/// What Mingle needs to know about a PayPal order.
public struct PayPalOrder: Sendable, Equatable {
    public var id: String
    /// `CREATED`, `SAVED`, `APPROVED`, `VOIDED`, `COMPLETED`, `PAYER_ACTION_REQUIRED`.
    public var status: String
    /// Where to send the payer (the `approve` or `payer-action` link); nil once approved.
    public var approveURL: String?
    /// The captured amount once there is a capture, otherwise the ordered amount, in minor units.
    public var amountMinor: Int?
    public var currency: String?
    public var captureID: String?
    /// `COMPLETED` means the money moved. `PENDING` is not yet paid (PayPal sends
    /// PAYMENT.CAPTURE.COMPLETED later); `DECLINED`/`FAILED` never is.
    public var captureStatus: String?

    public init(id: String, status: String, approveURL: String? = nil, amountMinor: Int? = nil, currency: String? = nil,
                captureID: String? = nil, captureStatus: String? = nil) {
        self.id = id
        self.status = status
        self.approveURL = approveURL
        self.amountMinor = amountMinor
        self.currency = currency
        self.captureID = captureID
        self.captureStatus = captureStatus
    }

    /// Paid: the order is COMPLETED with a COMPLETED capture. The only state that may activate a membership
    /// (after checking `amountMinor` and `currency` against the fee).
    public var isPaid: Bool { status == "COMPLETED" && captureStatus == "COMPLETED" && captureID != nil }
}

public enum PayPalError: Error, Equatable, Sendable, CustomStringConvertible {
    /// PayPal refused the credentials (OAuth `invalid_client`) or the access token.
    case authentication
    /// The payer's funding source was declined (INSTRUMENT_DECLINED, TRANSACTION_REFUSED…), or the capture came back DECLINED/FAILED.
    case declined
    /// The order already has its capture (ORDER_ALREADY_CAPTURED): nothing was charged again.
    case alreadyCaptured
    /// The payer has not approved the order (ORDER_NOT_APPROVED, PAYER_ACTION_REQUIRED).
    case notApproved
    /// No such order for these credentials (HTTP 404), or an id that cannot be an order id.
    case notFound
    /// Anything else. `status` 0 means no HTTP response arrived (PayPal unreachable, timeout);
    /// `message` has PayPal's error name, issue and debug id, never credentials or tokens.
    case unexpected(status: Int, message: String)

    public var description: String {
        switch self {
        case .authentication: "PayPal refused the credentials"
        case .declined: "PayPal declined the payment"
        case .alreadyCaptured: "the PayPal order was already captured"
        case .notApproved: "the payer has not approved the PayPal order"
        case .notFound: "PayPal does not know this order"
        case .unexpected(let status, let message): status == 0 ? "PayPal unreachable: \(message)" : "PayPal answered \(status): \(message)"
        }
    }
}

/// PayPal Orders v2 (`intent: CAPTURE`) and webhook verification over libcurl, with one tenant's
/// credentials. `baseURL` is `https://api-m.paypal.com`, `https://api-m.sandbox.paypal.com`, or the
/// simulator's URL. Access tokens are cached per process, per base URL and credentials, until a
/// minute before they expire; a token PayPal rejects is dropped and fetched again once.
public struct PayPalClient: Sendable {
    public let baseURL: String
    let credentials: PayPalCredentials
    let http: CurlHTTPClient
    let timeoutSeconds = 30

    public init(baseURL: String, credentials: PayPalCredentials, http: CurlHTTPClient = .init()) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.credentials = credentials
        self.http = http
    }

    /// Creates an order for `amountMinor` in `currency`; send the payer to `approveURL`. PayPal comes
    /// back to `returnURL?token=<order id>&PayerID=…` or `cancelURL?token=<order id>`. The same
    /// `requestID` (≤ 108 characters) returns the same order instead of creating another.
    public func createOrder(amountMinor: Int, currency: String, description: String, returnURL: String, cancelURL: String,
                            requestID: String) async throws -> PayPalOrder {
        guard amountMinor > 0 else { throw PayPalError.unexpected(status: 0, message: "refusing an order for a non-positive amount") }
        let code = currency.uppercased()
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw PayPalError.unexpected(status: 0, message: "refusing a malformed currency code")
        }
        let request = PayPalCreateOrderRequest(
            purchaseUnits: [.init(amount: PayPalMoney(currencyCode: code, value: PayPalAmount.format(minor: amountMinor, currency: code)),
                                  description: String(description.prefix(127)))],
            applicationContext: .init(returnURL: returnURL, cancelURL: cancelURL))
        let body = try JSONEncoder().encode(request)
        let reply = try await api("POST", "/v2/checkout/orders", body: Array(body), requestID: requestID)
        guard (200..<300).contains(reply.status) else { throw Self.error(from: reply) }
        return try Self.order(from: reply)
    }

    /// Captures an approved order. Returns the order, COMPLETED with its capture; a capture that
    /// came back DECLINED or FAILED throws `.declined`. Repeating a `requestID` replays PayPal's
    /// first answer; a second capture with another request id throws `.alreadyCaptured`. Neither charges twice.
    public func captureOrder(_ id: String, requestID: String) async throws -> PayPalOrder {
        guard Self.isOrderID(id) else { throw PayPalError.notFound }
        let reply = try await api("POST", "/v2/checkout/orders/\(id)/capture", body: Array("{}".utf8), requestID: requestID)
        guard (200..<300).contains(reply.status) else { throw Self.error(from: reply) }
        let order = try Self.order(from: reply)
        if let status = order.captureStatus, status == "DECLINED" || status == "FAILED" { throw PayPalError.declined }
        return order
    }

    /// The order as PayPal has it now: what to trust, rather than anything the browser says.
    public func order(_ id: String) async throws -> PayPalOrder {
        guard Self.isOrderID(id) else { throw PayPalError.notFound }
        let reply = try await api("GET", "/v2/checkout/orders/\(id)", body: nil, requestID: nil)
        guard (200..<300).contains(reply.status) else { throw Self.error(from: reply) }
        return try Self.order(from: reply)
    }

    /// Asks PayPal whether a webhook delivery is genuine (POST /v1/notifications/verify-webhook-signature).
    /// `headers` are the delivery's headers (any case); `body` its exact bytes, which are passed on
    /// verbatim as `webhook_event` so PayPal checks the bytes it signed, not a re-serialisation.
    /// True only for `verification_status: SUCCESS`. False when headers are missing, the body is not
    /// a JSON object, or PayPal rejects the request as invalid (400/404/422); throws when PayPal
    /// cannot be asked (so the delivery can be refused with a 5xx and retried by PayPal).
    public func verifyWebhook(headers: [String: String], body: [UInt8], webhookID: String) async throws -> Bool {
        var lower: [String: String] = [:]
        for (name, value) in headers { lower[name.lowercased()] = value }
        guard !webhookID.isEmpty,
              let algorithm = lower["paypal-auth-algo"], let certURL = lower["paypal-cert-url"],
              let transmissionID = lower["paypal-transmission-id"], let signature = lower["paypal-transmission-sig"],
              let time = lower["paypal-transmission-time"],
              (try? JSONSerialization.jsonObject(with: Data(body))) is [String: Any] else { return false }
        let head = PayPalVerifyRequestHead(authAlgo: algorithm, certURL: certURL, transmissionID: transmissionID,
                                           transmissionSig: signature, transmissionTime: time, webhookID: webhookID)
        var request = Array(try JSONEncoder().encode(head))
        guard request.last == UInt8(ascii: "}") else { return false }
        request.removeLast()
        request += Array(#","webhook_event":"#.utf8) + body + [UInt8(ascii: "}")]
        let reply = try await api("POST", "/v1/notifications/verify-webhook-signature", body: request, requestID: nil)
        switch reply.status {
        case 200..<300:
            guard let verdict = try? JSONDecoder().decode(PayPalVerifyReply.self, from: Data(reply.body)) else {
                throw PayPalError.unexpected(status: reply.status, message: "unreadable verification reply")
            }
            return verdict.verificationStatus == "SUCCESS"
        case 400, 404, 422:
            return false
        default:
            throw Self.error(from: reply)
        }
    }

    // MARK: - Plumbing

    private var cacheKey: String { baseURL + "\u{0}" + credentials.clientID + "\u{0}" + credentials.secret }

    /// A call with a bearer token; a 401 drops the cached token and tries once more with a fresh one.
    private func api(_ method: String, _ path: String, body: [UInt8]?, requestID: String?) async throws -> HTTPReply {
        var reply = try await apiOnce(method, path, body: body, requestID: requestID, token: try await accessToken())
        if reply.status == 401 {
            PayPalTokenCache.shared.drop(cacheKey)
            reply = try await apiOnce(method, path, body: body, requestID: requestID, token: try await accessToken())
        }
        return reply
    }

    private func apiOnce(_ method: String, _ path: String, body: [UInt8]?, requestID: String?, token: String) async throws -> HTTPReply {
        var headers = [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]
        if body != nil {
            headers.append(("Content-Type", "application/json"))
            headers.append(("Prefer", "return=representation"))
        }
        if let requestID, !requestID.isEmpty { headers.append(("PayPal-Request-Id", String(requestID.prefix(108)))) }
        return try await transport(HTTPCall(method: method, url: baseURL + path, headers: headers, body: body ?? [],
                                            timeoutSeconds: timeoutSeconds))
    }

    private func accessToken() async throws -> String {
        let key = cacheKey
        if let token = PayPalTokenCache.shared.token(for: key) { return token }
        let basic = Data("\(credentials.clientID):\(credentials.secret)".utf8).base64EncodedString()
        let reply = try await transport(HTTPCall(
            method: "POST", url: baseURL + "/v1/oauth2/token",
            headers: [("Authorization", "Basic \(basic)"), ("Accept", "application/json"),
                      ("Content-Type", "application/x-www-form-urlencoded")],
            body: Array("grant_type=client_credentials".utf8), timeoutSeconds: timeoutSeconds))
        guard reply.status == 200 else {
            if reply.status == 401 || reply.status == 403 { throw PayPalError.authentication }
            if reply.status == 400, let error = try? JSONDecoder().decode(PayPalErrorReply.self, from: Data(reply.body)),
               error.error == "invalid_client" { throw PayPalError.authentication }
            throw Self.error(from: reply)
        }
        guard let token = try? JSONDecoder().decode(PayPalTokenReply.self, from: Data(reply.body)), !token.accessToken.isEmpty else {
            throw PayPalError.unexpected(status: reply.status, message: "unreadable OAuth token reply")
        }
        let lifetime = max(0, (token.expiresIn ?? 0) - 60)
        PayPalTokenCache.shared.store(token.accessToken, for: key, validFor: .seconds(lifetime))
        return token.accessToken
    }

    private func transport(_ call: HTTPCall) async throws -> HTTPReply {
        do {
            return try await http.send(call)
        } catch let error as HTTPClientError {
            throw PayPalError.unexpected(status: 0, message: error.description)
        }
    }

    /// Order ids are short alphanumerics; anything else would change the URL's path.
    static func isOrderID(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    static func order(from reply: HTTPReply) throws -> PayPalOrder {
        guard let wire = try? JSONDecoder().decode(PayPalOrderReply.self, from: Data(reply.body)) else {
            throw PayPalError.unexpected(status: reply.status, message: "unreadable order in PayPal's reply")
        }
        let unit = wire.purchaseUnits?.first
        let capture = unit?.payments?.captures?.first
        let money = capture?.amount ?? unit?.amount
        let approve = wire.links?.first { $0.rel == "approve" } ?? wire.links?.first { $0.rel == "payer-action" }
        return PayPalOrder(id: wire.id, status: wire.status ?? "", approveURL: approve?.href,
                           amountMinor: money.flatMap { PayPalAmount.parse($0.value, currency: $0.currencyCode) },
                           currency: money?.currencyCode, captureID: capture?.id, captureStatus: capture?.status)
    }

    static func error(from reply: HTTPReply) -> PayPalError {
        let wire = try? JSONDecoder().decode(PayPalErrorReply.self, from: Data(reply.body))
        let issues = Set(wire?.details?.compactMap(\.issue) ?? [])
        if issues.contains("ORDER_ALREADY_CAPTURED") { return .alreadyCaptured }
        if !issues.isDisjoint(with: ["INSTRUMENT_DECLINED", "TRANSACTION_REFUSED", "PAYER_CANNOT_PAY",
                                     "PAYER_ACCOUNT_RESTRICTED", "PAYEE_BLOCKED_TRANSACTION"]) { return .declined }
        if !issues.isDisjoint(with: ["ORDER_NOT_APPROVED", "PAYER_ACTION_REQUIRED"]) { return .notApproved }
        if reply.status == 401 { return .authentication }
        if reply.status == 404 { return .notFound }
        var parts: [String] = []
        if let name = wire?.name ?? wire?.error { parts.append(name) }
        if !issues.isEmpty { parts.append(issues.sorted().joined(separator: ",")) }
        if let message = wire?.message ?? wire?.errorDescription { parts.append(String(message.prefix(200))) }
        if let debug = wire?.debugID { parts.append("debug_id \(debug)") }
        return .unexpected(status: reply.status, message: parts.isEmpty ? "no error details" : parts.joined(separator: "; "))
    }
}

/// A PayPal webhook delivery's event, parsed. Parse only after `verifyWebhook` said it is genuine.
public struct PayPalWebhookEvent: Sendable, Equatable {
    public var id: String
    /// `CHECKOUT.ORDER.APPROVED`, `PAYMENT.CAPTURE.COMPLETED`, `PAYMENT.CAPTURE.DENIED`…
    public var eventType: String
    /// The order concerned: `resource.id` for CHECKOUT.ORDER.* events,
    /// `resource.supplementary_data.related_ids.order_id` for PAYMENT.CAPTURE.* events.
    public var orderID: String?
    /// `resource.status` (the order's or the capture's).
    public var resourceStatus: String?

    public init(id: String, eventType: String, orderID: String?, resourceStatus: String?) {
        self.id = id
        self.eventType = eventType
        self.orderID = orderID
        self.resourceStatus = resourceStatus
    }

    /// Nil when the body is not a PayPal event.
    public static func parse(_ body: [UInt8]) -> PayPalWebhookEvent? {
        guard let wire = try? JSONDecoder().decode(PayPalEventWire.self, from: Data(body)) else { return nil }
        let order: String?
        if wire.eventType.hasPrefix("CHECKOUT.ORDER.") || wire.resourceType == "checkout-order" {
            order = wire.resource?.id
        } else {
            order = wire.resource?.supplementaryData?.relatedIDs?.orderID
        }
        return PayPalWebhookEvent(id: wire.id, eventType: wire.eventType, orderID: order, resourceStatus: wire.resource?.status)
    }
}

/// Access tokens by base URL and credentials, for the whole process: Mingle builds a client per
/// request, and PayPal asks integrations to reuse a token until it expires.
final class PayPalTokenCache: Sendable {
    static let shared = PayPalTokenCache()

    private struct Entry {
        var token: String
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])

    func token(for key: String) -> String? {
        entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            guard entry.expires > .now else {
                entries[key] = nil
                return nil
            }
            return entry.token
        }
    }

    func store(_ token: String, for key: String, validFor lifetime: Duration) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            entries = entries.filter { $0.value.expires > now }
            entries[key] = Entry(token: token, expires: now + lifetime)
        }
    }

    func drop(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}

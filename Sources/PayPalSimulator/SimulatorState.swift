import Crypto
import Foundation

/// A reply the simulator's API sends: status and JSON body.
struct SimReply: Sendable {
    var status: Int
    var body: [UInt8]
}

/// A webhook delivery to make: where, with which headers, and the exact body bytes.
struct SimulatedWebhook: Sendable {
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]
}

/// What the payer chose on the simulated approval page.
enum ApprovalOutcome: Sendable {
    /// Redirect the browser here.
    case redirect(String)
    /// Show this message (paid without returning to the shop).
    case stay(String)
    case unknownOrder
}

/// Everything the simulated PayPal remembers, in memory only: access tokens, orders, idempotent
/// replies and the webhooks it sent (for signature verification).
public actor SimulatorState {
    struct Token {
        var clientID: String
        var expires: Date
    }

    struct Order {
        var id: String
        var clientID: String
        var amount: SimMoney
        var description: String?
        var returnURL: String
        var cancelURL: String
        var status = "CREATED"
        var declineAtCapture = false
        var payerID: String?
        var captureID: String?
        var captureTime: String?
        var createTime: String
        var updateTime: String?
    }

    struct SentWebhook {
        var webhookID: String
        var time: String
        var certURL: String
        var signature: String
        var body: [UInt8]
    }

    static let tokenLifetime = 32400
    static let payerID = "SIMPAYER1"

    private let signingKey = SymmetricKey(size: .bits256)
    private var tokens: [String: Token] = [:]
    private var orders: [String: Order] = [:]
    private var replies: [String: SimReply] = [:]
    private var webhooks: [String: SentWebhook] = [:]

    public init() {}

    /// The webhook id PayPal would have given the app's webhook: `WH-SIM-<client id>`.
    public static func webhookID(forClientID clientID: String) -> String { "WH-SIM-\(clientID)" }

    // MARK: OAuth

    func issueToken(clientID: String) -> String {
        let token = "A21AA" + randomString(length: 60, alphabet: Self.tokenAlphabet)
        let now = Date()
        tokens = tokens.filter { $0.value.expires > now }
        tokens[token] = Token(clientID: clientID, expires: now.addingTimeInterval(TimeInterval(Self.tokenLifetime)))
        return token
    }

    func clientID(forToken token: String) -> String? {
        guard let entry = tokens[token], entry.expires > Date() else { return nil }
        return entry.clientID
    }

    // MARK: Orders

    func createOrder(clientID: String, requestID: String?, amount: SimMoney, description: String?,
                     returnURL: String, cancelURL: String, baseURL: String) -> SimReply {
        let replayKey = requestID.map { "\(clientID)\u{0}create\u{0}\($0)" }
        if let replayKey, let earlier = replies[replayKey] { return earlier }
        var id = randomString(length: 17, alphabet: Self.idAlphabet)
        while orders[id] != nil { id = randomString(length: 17, alphabet: Self.idAlphabet) }
        let order = Order(id: id, clientID: clientID, amount: amount, description: description, returnURL: returnURL,
                          cancelURL: cancelURL, createTime: Self.now())
        orders[id] = order
        let reply = SimReply(status: 201, body: Self.encode(json(order, baseURL: baseURL)))
        if let replayKey { replies[replayKey] = reply }
        return reply
    }

    func order(_ id: String, clientID: String, baseURL: String) -> SimReply {
        guard let order = orders[id], order.clientID == clientID else { return Self.notFound(id) }
        return SimReply(status: 200, body: Self.encode(json(order, baseURL: baseURL)))
    }

    func capture(_ id: String, clientID: String, requestID: String?, baseURL: String) -> SimReply {
        let replayKey = requestID.map { "\(clientID)\u{0}capture\u{0}\(id)\u{0}\($0)" }
        if let replayKey, let earlier = replies[replayKey] { return earlier }
        guard var order = orders[id], order.clientID == clientID else { return Self.notFound(id) }
        switch order.status {
        case "COMPLETED":
            return Self.unprocessable("ORDER_ALREADY_CAPTURED",
                                      "Order already captured. If 'intent=CAPTURE' only one capture per order is allowed.")
        case "APPROVED" where order.declineAtCapture:
            return Self.unprocessable("INSTRUMENT_DECLINED",
                                      "The instrument presented was either declined by the processor or bank, or it can't be used for this payment.")
        case "APPROVED":
            var captureID = randomString(length: 17, alphabet: Self.idAlphabet)
            while orders.values.contains(where: { $0.captureID == captureID }) { captureID = randomString(length: 17, alphabet: Self.idAlphabet) }
            let now = Self.now()
            order.status = "COMPLETED"
            order.captureID = captureID
            order.captureTime = now
            order.updateTime = now
            orders[id] = order
            let reply = SimReply(status: 201, body: Self.encode(json(order, baseURL: baseURL)))
            if let replayKey { replies[replayKey] = reply }
            return reply
        default:
            return Self.unprocessable("ORDER_NOT_APPROVED",
                                      "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.")
        }
    }

    /// The order as the approval page shows it (any client: the payer's browser has no token).
    func pageOrder(_ id: String) -> Order? { orders[id] }

    /// Applies the payer's choice on the approval page. Approvals also record and return the
    /// CHECKOUT.ORDER.APPROVED webhook to deliver.
    func decide(_ id: String, action: PayPalSimulatorAction, baseURL: String) -> (ApprovalOutcome, SimulatedWebhook?) {
        guard var order = orders[id] else { return (.unknownOrder, nil) }
        let back = Self.appending(["token": id, "PayerID": Self.payerID], to: order.returnURL)
        if action == .cancel {
            return (.redirect(Self.appending(["token": id], to: order.cancelURL)), nil)
        }
        guard order.status == "CREATED" || order.status == "APPROVED" else {
            // Already paid: nothing changes; the shop finds out from its own capture or look-up.
            return (action == .payWithoutReturn ? .stay("This order has already been paid. You can close this window.") : .redirect(back), nil)
        }
        order.status = "APPROVED"
        order.declineAtCapture = action == .decline
        order.payerID = Self.payerID
        order.updateTime = Self.now()
        orders[id] = order
        let webhook = approvalWebhook(for: order, baseURL: baseURL)
        switch action {
        case .payWithoutReturn: return (.stay("Payment approved. You can close this window."), webhook)
        default: return (.redirect(back), webhook)
        }
    }

    // MARK: Webhooks

    private func approvalWebhook(for order: Order, baseURL: String) -> SimulatedWebhook? {
        guard let target = Self.webhookURL(forReturnURL: order.returnURL) else { return nil }
        let event = SimEventJSON(
            id: "WH-" + randomString(length: 17, alphabet: Self.idAlphabet) + "-" + randomString(length: 17, alphabet: Self.idAlphabet),
            createTime: Self.now(), eventType: "CHECKOUT.ORDER.APPROVED", summary: "An order has been approved by buyer",
            resource: json(order, baseURL: baseURL))
        let body = Self.encode(event)
        let transmissionID = UUID().uuidString.lowercased()
        let time = Self.now()
        let webhookID = Self.webhookID(forClientID: order.clientID)
        let certURL = baseURL + "/v1/notifications/certs/sim"
        let signature = sign(transmissionID: transmissionID, time: time, webhookID: webhookID, body: body)
        webhooks[transmissionID] = SentWebhook(webhookID: webhookID, time: time, certURL: certURL, signature: signature, body: body)
        return SimulatedWebhook(url: target, headers: [
            ("Content-Type", "application/json"),
            ("PAYPAL-TRANSMISSION-ID", transmissionID),
            ("PAYPAL-TRANSMISSION-TIME", time),
            ("PAYPAL-TRANSMISSION-SIG", signature),
            ("PAYPAL-AUTH-ALGO", "SHA256withRSA"),
            ("PAYPAL-CERT-URL", certURL),
        ], body: body)
    }

    /// base64(HMAC-SHA256(key, "<transmission id>|<time>|<webhook id>|<CRC-32 of the body, decimal>")):
    /// PayPal's signed string, with an HMAC under this simulator's random key in place of PayPal's RSA signature.
    private func sign(transmissionID: String, time: String, webhookID: String, body: [UInt8]) -> String {
        let message = "\(transmissionID)|\(time)|\(webhookID)|\(CRC32.checksum(body))"
        return Data(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: signingKey)).base64EncodedString()
    }

    /// SUCCESS iff this simulator sent a webhook with that transmission id and time, to the app whose
    /// token asks (`webhook_id` = `WH-SIM-<client id>`), the signature is the one it computed for the
    /// webhook id given, the cert URL and algorithm are as sent, and `webhook_event` equals the sent
    /// body as JSON (so any change to the event fails).
    func verify(_ request: SimVerifyRequest, clientID: String) -> Bool {
        guard let sent = webhooks[request.transmissionID],
              request.webhookID == Self.webhookID(forClientID: clientID),
              request.webhookID == sent.webhookID,
              request.transmissionTime == sent.time,
              request.authAlgo == "SHA256withRSA",
              request.certURL == sent.certURL,
              let sentEvent = try? JSONDecoder().decode(JSONValue.self, from: Data(sent.body)),
              request.webhookEvent == sentEvent else { return false }
        let expected = sign(transmissionID: request.transmissionID, time: request.transmissionTime,
                            webhookID: request.webhookID, body: sent.body)
        return constantTimeEqual(expected, request.transmissionSig)
    }

    /// `<scheme>://<authority of the return URL>/webhooks/paypal`.
    static func webhookURL(forReturnURL returnURL: String) -> String? {
        guard let components = URLComponents(string: returnURL), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return nil }
        var target = URLComponents()
        target.scheme = scheme
        target.host = host
        target.port = components.port
        target.path = "/webhooks/paypal"
        return target.string
    }

    // MARK: JSON

    private func json(_ order: Order, baseURL: String) -> SimOrderJSON {
        var unit = SimOrderJSON.PurchaseUnit(amount: order.amount, description: order.description)
        if let captureID = order.captureID {
            unit.payments = .init(captures: [.init(id: captureID, status: "COMPLETED", amount: order.amount,
                                                   createTime: order.captureTime ?? order.createTime)])
        }
        var links = [SimLink(href: "\(baseURL)/v2/checkout/orders/\(order.id)", rel: "self", method: "GET")]
        switch order.status {
        case "CREATED":
            links.append(SimLink(href: "\(baseURL)/checkoutnow?token=\(order.id)", rel: "approve", method: "GET"))
        case "APPROVED":
            links.append(SimLink(href: "\(baseURL)/v2/checkout/orders/\(order.id)/capture", rel: "capture", method: "POST"))
        default:
            break
        }
        return SimOrderJSON(id: order.id, status: order.status, purchaseUnits: [unit],
                            payer: order.payerID.map { .init(payerID: $0, emailAddress: "buyer@paypal-sim.invalid") },
                            createTime: order.createTime, updateTime: order.updateTime, links: links)
    }

    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs cannot fail.
        return (try? Array(encoder.encode(value))) ?? Array("{}".utf8)
    }

    static func error(_ status: Int, name: String, message: String, issue: String, description: String) -> SimReply {
        SimReply(status: status, body: encode(SimErrorJSON(
            name: name, message: message, debugID: randomString(length: 13, alphabet: Array("abcdef0123456789")),
            details: [.init(issue: issue, description: description)])))
    }

    static func notFound(_ id: String) -> SimReply {
        error(404, name: "RESOURCE_NOT_FOUND", message: "The specified resource does not exist.",
              issue: "INVALID_RESOURCE_ID", description: "Specified resource ID does not exist. Please check the resource ID and try again.")
    }

    static func unprocessable(_ issue: String, _ description: String) -> SimReply {
        error(422, name: "UNPROCESSABLE_ENTITY",
              message: "The requested action could not be performed, semantically incorrect, or failed business validation.",
              issue: issue, description: description)
    }

    static func now() -> String { Date().formatted(.iso8601) }

    static func appending(_ query: KeyValuePairs<String, String>, to url: String) -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let pairs = query.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
        return url + (url.contains("?") ? "&" : "?") + pairs.joined(separator: "&")
    }

    static let idAlphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
    static let tokenAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
}

func randomString(length: Int, alphabet: [Character]) -> String {
    var generator = SystemRandomNumberGenerator()
    return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
}

func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
}

import Foundation
import Hummingbird
import Logging

/// Delivers one webhook: POST `body` with `headers` to `url`. The simulator does not do HTTP
/// itself; callers pass one built on Outbound's `CurlHTTPClient` (or a recorder, in tests).
public typealias PayPalWebhookSender = @Sendable (_ url: String, _ headers: [(String, String)], _ body: [UInt8]) async -> Void

/// The buttons of the simulated approval page. Each is a form that POSTs to
/// `/checkoutnow/<order id>/<rawValue>`.
public enum PayPalSimulatorAction: String, CaseIterable, Sendable {
    /// Approve; the capture succeeds. Redirects (303) to `return_url?token=<id>&PayerID=SIMPAYER1`.
    case pay
    /// Approve with a card that is declined: the capture fails with INSTRUMENT_DECLINED. Redirects like `pay`.
    case decline
    /// Approve, then stay on PayPal ("Payment approved. You can close this window."): only the webhook tells the shop.
    case payWithoutReturn = "pay-without-return"
    /// Do not approve. Redirects (303) to `cancel_url?token=<id>`.
    case cancel

    /// The path the approval page's form for this action posts to.
    public static func path(orderID: String, action: PayPalSimulatorAction) -> String {
        "/checkoutnow/\(orderID)/\(action.rawValue)"
    }
}

/// A simulated PayPal, **for development and tests only**: Mingle refuses it in production mode,
/// and no money ever moves. It speaks the parts of PayPal's REST API that Mingle uses, with the
/// same paths and JSON shapes:
///
/// - `POST /v1/oauth2/token` (HTTP Basic client id and secret, `grant_type=client_credentials`):
///   any non-empty client id and secret are accepted, except the secret `wrong-secret`, which gets
///   401 `invalid_client`. Tokens last 32400 s and belong to the client id that asked.
/// - `POST /v2/checkout/orders`, `GET /v2/checkout/orders/{id}`, `POST /v2/checkout/orders/{id}/capture`
///   (Bearer token): orders belong to the client that created them (others get 404). Capture
///   answers 422 ORDER_NOT_APPROVED, ORDER_ALREADY_CAPTURED or INSTRUMENT_DECLINED as PayPal does.
///   `PayPal-Request-Id` makes create and successful capture idempotent: the same id replays the first reply.
/// - `GET /checkoutnow?token={id}`: the payer's approval page, with the buttons of `PayPalSimulatorAction`.
/// - Webhooks: every approval sends a `CHECKOUT.ORDER.APPROVED` event, after the page answered, to
///   `<scheme>://<host and port of the order's return_url>/webhooks/paypal` through `sendWebhook`.
///   The webhook id of client `X` is `WH-SIM-X` (configure that as the tenant's webhook id).
///   Headers: `PAYPAL-TRANSMISSION-ID` (UUID), `PAYPAL-TRANSMISSION-TIME` (ISO 8601),
///   `PAYPAL-TRANSMISSION-SIG` = base64(HMAC-SHA256(simulator key, "<transmission id>|<time>|<webhook id>|<CRC-32 of the body, decimal>")),
///   `PAYPAL-AUTH-ALGO: SHA256withRSA` (a label only), `PAYPAL-CERT-URL: <public URL>/v1/notifications/certs/sim`.
///   The key is random per run, so only this simulator can check its signatures:
/// - `POST /v1/notifications/verify-webhook-signature` (Bearer): `SUCCESS` iff the simulator sent a
///   webhook with that transmission id and time, for the asking client's webhook id, with exactly
///   that signature, and `webhook_event` equals (as JSON) the body it sent; otherwise `FAILURE`.
///
/// `publicBaseURL` is how browsers and the shop reach the simulator (approve links, cert URL). An
/// empty string means `http://<the request's Host header>`, for servers on a port chosen at bind time.
public func buildPayPalSimulator(host: String = "127.0.0.1", port: Int, publicBaseURL: String, logger: Logger,
                                 state: SimulatorState = SimulatorState(),
                                 sendWebhook: @escaping PayPalWebhookSender) -> some ApplicationProtocol {
    var base = publicBaseURL
    while base.hasSuffix("/") { base.removeLast() }
    let router = Router()
    PayPalSimulatorRoutes(state: state, publicBaseURL: base, logger: logger, sendWebhook: sendWebhook).add(to: router)
    return Application(router: router,
                       configuration: .init(address: .hostname(host, port: port), serverName: "paypal-sim"),
                       logger: logger)
}

struct PayPalSimulatorRoutes: Sendable {
    let state: SimulatorState
    let publicBaseURL: String
    let logger: Logger
    let sendWebhook: PayPalWebhookSender

    func add(to router: Router<BasicRequestContext>) {
        router.post("/v1/oauth2/token") { request, _ in try await token(request) }
        router.post("/v2/checkout/orders") { request, _ in try await createOrder(request) }
        router.get("/v2/checkout/orders/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await authorized(request) { clientID in
                await state.order(id, clientID: clientID, baseURL: baseURL(request))
            }
        }
        router.post("/v2/checkout/orders/:id/capture") { request, context in
            let id = try context.parameters.require("id")
            let idempotencyKey = requestID(request)
            return try await authorized(request) { clientID in
                let reply = await state.capture(id, clientID: clientID, requestID: idempotencyKey, baseURL: baseURL(request))
                logger.info("paypal-sim: capture \(id) → \(reply.status)")
                return reply
            }
        }
        router.post("/v1/notifications/verify-webhook-signature") { request, _ in try await verify(request) }
        router.get("/v1/notifications/certs/sim") { _, _ in
            "The PayPal simulator signs webhooks with HMAC-SHA256 under a key only it knows; verify them with POST /v1/notifications/verify-webhook-signature.\n"
        }
        router.get("/checkoutnow") { request, _ in await approvalPage(request) }
        router.post("/checkoutnow/:id/:action") { request, context in
            let id = try context.parameters.require("id")
            guard let action = PayPalSimulatorAction(rawValue: try context.parameters.require("action")) else {
                return html(ApprovalPage.message("No such button."), status: .notFound)
            }
            return await decide(request, orderID: id, action: action)
        }
    }

    // MARK: Handlers

    private func token(_ request: Request) async throws -> Response {
        let form = String(decoding: try await request.body.collect(upTo: 64 * 1024).readableBytesView, as: UTF8.self)
        guard form.split(separator: "&").contains("grant_type=client_credentials") else {
            return json(400, Array(#"{"error":"unsupported_grant_type","error_description":"unsupported grant_type"}"#.utf8))
        }
        guard let (clientID, secret) = basicCredentials(request), !clientID.isEmpty, !secret.isEmpty, secret != "wrong-secret" else {
            logger.info("paypal-sim: refused client credentials")
            return json(401, Array(#"{"error":"invalid_client","error_description":"Client Authentication failed"}"#.utf8))
        }
        let token = await state.issueToken(clientID: clientID)
        struct Reply: Encodable {
            var scope = "https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/checkout/one-click-with-merchant-issued-token"
            var access_token: String
            var token_type = "Bearer"
            var app_id = "APP-SIMULATED"
            var expires_in = SimulatorState.tokenLifetime
            var nonce: String
        }
        return json(200, SimulatorState.encode(Reply(access_token: token, nonce: Date().formatted(.iso8601) + randomString(length: 20, alphabet: SimulatorState.tokenAlphabet))))
    }

    private func createOrder(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 256 * 1024)
        let idempotencyKey = requestID(request)
        return try await authorized(request) { clientID in
            guard let order = try? JSONDecoder().decode(SimCreateOrderRequest.self, from: Data(body.readableBytesView)) else {
                return invalid("MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
            }
            guard order.intent == "CAPTURE" else { return invalid("INVALID_PARAMETER_VALUE", "The simulator supports intent CAPTURE only.") }
            guard let units = order.purchaseUnits, units.count == 1, let amount = units[0].amount else {
                return invalid("MISSING_REQUIRED_PARAMETER", "Exactly one purchase unit with an amount is required.")
            }
            if let issue = Self.amountIssue(amount) { return invalid(issue.0, issue.1) }
            guard let returnURL = order.applicationContext?.returnURL, let cancelURL = order.applicationContext?.cancelURL,
                  Self.isWebURL(returnURL), Self.isWebURL(cancelURL) else {
                return invalid("MISSING_REQUIRED_PARAMETER", "application_context.return_url and cancel_url must be http(s) URLs.")
            }
            let reply = await state.createOrder(clientID: clientID, requestID: idempotencyKey, amount: amount,
                                                description: units[0].description, returnURL: returnURL,
                                                cancelURL: cancelURL, baseURL: baseURL(request))
            logger.info("paypal-sim: order for \(amount.value) \(amount.currencyCode) → \(reply.status)")
            return reply
        }
    }

    private func verify(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 1024 * 1024)
        return try await authorized(request) { clientID in
            guard let verification = try? JSONDecoder().decode(SimVerifyRequest.self, from: Data(body.readableBytesView)) else {
                return invalid("MISSING_REQUIRED_PARAMETER", "auth_algo, cert_url, transmission_id, transmission_sig, transmission_time, webhook_id and webhook_event are required.")
            }
            let success = await state.verify(verification, clientID: clientID)
            logger.info("paypal-sim: webhook verification \(success ? "SUCCESS" : "FAILURE")")
            return SimReply(status: 200, body: Array(#"{"verification_status":"\#(success ? "SUCCESS" : "FAILURE")"}"#.utf8))
        }
    }

    private func approvalPage(_ request: Request) async -> Response {
        guard let id = request.uri.queryParameters.get("token"), let order = await state.pageOrder(id) else {
            return html(ApprovalPage.message("This PayPal (simulated) checkout link is not valid."), status: .notFound)
        }
        return html(ApprovalPage.render(order))
    }

    private func decide(_ request: Request, orderID: String, action: PayPalSimulatorAction) async -> Response {
        let (outcome, webhook) = await state.decide(orderID, action: action, baseURL: baseURL(request))
        if let webhook {
            logger.info("paypal-sim: order \(orderID) approved; webhook to \(webhook.url)")
            let send = sendWebhook
            // After the response: PayPal's webhooks arrive independently of the browser.
            Task {
                try? await Task.sleep(for: .milliseconds(50))
                await send(webhook.url, webhook.headers, webhook.body)
            }
        }
        switch outcome {
        case .redirect(let url):
            return Response(status: .seeOther, headers: [.location: url, .cacheControl: "no-store"])
        case .stay(let message):
            return html(ApprovalPage.message(message))
        case .unknownOrder:
            return html(ApprovalPage.message("This PayPal (simulated) checkout link is not valid."), status: .notFound)
        }
    }

    // MARK: Helpers

    private func baseURL(_ request: Request) -> String {
        if !publicBaseURL.isEmpty { return publicBaseURL }
        return "http://" + (request.head.authority ?? "127.0.0.1")
    }

    private func authorized(_ request: Request, _ body: (String) async throws -> SimReply) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              let clientID = await state.clientID(forToken: String(header.dropFirst("Bearer ".count))) else {
            return json(401, Array(#"{"error":"invalid_token","error_description":"Token signature verification failed"}"#.utf8))
        }
        let reply = try await body(clientID)
        return json(reply.status, reply.body)
    }

    /// `PayPal-Request-Id`, the idempotency key.
    private func requestID(_ request: Request) -> String? {
        request.headers.first { $0.name.canonicalName == "paypal-request-id" }?.value
    }

    private func basicCredentials(_ request: Request) -> (String, String)? {
        guard let header = request.headers[.authorization], header.hasPrefix("Basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst("Basic ".count))),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    private func invalid(_ issue: String, _ description: String) -> SimReply {
        SimulatorState.error(400, name: "INVALID_REQUEST", message: "Request is not well-formed, syntactically incorrect, or violates schema.",
                             issue: issue, description: description)
    }

    /// PayPal's checks on an amount: a known-looking currency, a positive value, and exactly the
    /// currency's decimals (none for HUF, JPY and TWD).
    static func amountIssue(_ amount: SimMoney) -> (String, String)? {
        let code = amount.currencyCode
        guard code.count == 3, code.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            return ("INVALID_PARAMETER_VALUE", "currency_code must be a three-letter ISO 4217 code.")
        }
        let decimals = ["HUF", "JPY", "TWD"].contains(code) ? 0 : 2
        let parts = amount.value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 10,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              parts.dropFirst().allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return ("INVALID_PARAMETER_VALUE", "amount.value must be a decimal number.")
        }
        guard (parts.count == 2 ? parts[1].count : 0) <= decimals else {
            return ("DECIMAL_PRECISION", "If the currency supports decimals, only two decimal place precision is supported; \(code) takes \(decimals).")
        }
        guard amount.value.contains(where: { $0 != "0" && $0 != "." }) else {
            return ("INVALID_PARAMETER_VALUE", "amount.value must be greater than zero.")
        }
        return nil
    }

    static func isWebURL(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased() else { return false }
        return (scheme == "http" || scheme == "https") && !(url.host ?? "").isEmpty
    }

    private func json(_ status: Int, _ body: [UInt8]) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: page)))
    }
}

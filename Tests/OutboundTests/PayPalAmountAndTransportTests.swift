import Foundation
import Outbound
import Testing

@Suite("PayPal amounts")
struct PayPalAmountTests {
    @Test("formats minor units with the currency's decimals", arguments: [
        (1250, "EUR", "12.50"), (5, "EUR", "0.05"), (100, "USD", "1.00"), (0, "GBP", "0.00"),
        (1500, "JPY", "1500"), (1500, "jpy", "1500"), (990, "HUF", "990"), (30, "TWD", "30"),
    ])
    func format(minor: Int, currency: String, expected: String) {
        // act
        let text = PayPalAmount.format(minor: minor, currency: currency)

        // check
        #expect(text == expected)
    }

    @Test("parses PayPal's amounts back to minor units", arguments: [
        ("12.50", "EUR", 1250), ("12.5", "EUR", 1250), ("12", "EUR", 1200), ("0.05", "EUR", 5), ("1500", "JPY", 1500),
    ])
    func parse(value: String, currency: String, expected: Int) {
        // act
        let minor = PayPalAmount.parse(value, currency: currency)

        // check
        #expect(minor == expected)
    }

    @Test("refuses amounts that are not plain decimals for the currency",
          arguments: ["1500.00|JPY", "1.234|EUR", "abc|EUR", "-1.00|EUR", "|EUR", "1.|EUR", ".5|EUR", "1e3|EUR", "12.50|HUF"])
    func parseRefuses(_ input: String) {
        // setup
        let parts = input.split(separator: "|", omittingEmptySubsequences: false).map(String.init)

        // act
        let minor = PayPalAmount.parse(parts[0], currency: parts[1])

        // check
        #expect(minor == nil)
    }

    @Test("zero-decimal currencies are HUF, JPY and TWD")
    func zeroDecimalCurrencies() {
        // check
        #expect(PayPalAmount.decimals(for: "JPY") == 0)
        #expect(PayPalAmount.decimals(for: "huf") == 0)
        #expect(PayPalAmount.decimals(for: "TWD") == 0)
        #expect(PayPalAmount.decimals(for: "EUR") == 2)
        #expect(PayPalAmount.decimals(for: "CHF") == 2)
    }

    @Test("credentials never print their secret")
    func credentialsRedacted() {
        // setup
        let credentials = PayPalCredentials(clientID: "acme-client", secret: "s3cr3t-value")

        // act
        let printed = "\(credentials) \(String(reflecting: credentials))"

        // check
        #expect(!printed.contains("s3cr3t-value"))
        #expect(printed.contains("acme-client"))
    }
}

@Suite("PayPal transport: HTTP over libcurl", .timeLimit(.minutes(1)))
struct PayPalHTTPTransportTests {
    @Test("a refused connection is an HTTPClientError")
    func refusedConnection() async throws {
        // setup
        let socket = try LoopbackSocket()
        let port = socket.port
        socket.close()

        // act
        let error = await #expect(throws: HTTPClientError.self) {
            try await CurlHTTPClient().send(HTTPCall(url: "http://127.0.0.1:\(port)/v1/oauth2/token", timeoutSeconds: 5))
        }

        // check
        let description = try #require(error).description
        #expect(description.localizedCaseInsensitiveContains("connect"), "unhelpful description: \(description)")
        #expect(description.contains("http://127.0.0.1:\(port)"))
        #expect(!description.contains("oauth2"), "the path may carry secrets and stays out of messages")
    }

    @Test("a silent server times out as an HTTPClientError")
    func silentServer() throws {
        // setup
        let socket = try LoopbackSocket()
        try socket.listenSilently()
        defer { socket.close() }

        // act
        let error = #expect(throws: HTTPClientError.self) {
            try CurlHTTPClient().perform(HTTPCall(url: "http://127.0.0.1:\(socket.port)/", timeoutSeconds: 1))
        }

        // check
        let description = try #require(error).description
        #expect(description.localizedCaseInsensitiveContains("time"), "unhelpful description: \(description)")
    }

    @Test("refuses other schemes, header injection and malformed methods without connecting",
          arguments: [
            HTTPCall(url: "file:///etc/passwd"),
            HTTPCall(url: "ftp://127.0.0.1/"),
            HTTPCall(url: "http://127.0.0.1/ x"),
            HTTPCall(url: "http://127.0.0.1:1/", headers: [("X-Test", "a\r\nInjected: yes")]),
            HTTPCall(url: "http://127.0.0.1:1/", headers: [("Bad Name", "a")]),
            HTTPCall(method: "GET /x HTTP/1.1\r\n", url: "http://127.0.0.1:1/"),
          ])
    func refusesMalformedCalls(_ call: HTTPCall) {
        // act
        let error = #expect(throws: HTTPClientError.self) { try CurlHTTPClient().perform(call) }

        // check
        #expect(error?.description.localizedCaseInsensitiveContains("refusing") == true)
    }
}

extension HTTPCall: CustomTestStringConvertible {
    public var testDescription: String { "\(method) \(url) \(headers.map(\.0))" }
}

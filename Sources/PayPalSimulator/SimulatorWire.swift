// The JSON shapes of PayPal's REST API that the simulator reads and writes, with PayPal's field names.

struct SimMoney: Codable, Equatable, Sendable {
    var currencyCode: String
    var value: String

    enum CodingKeys: String, CodingKey {
        case currencyCode = "currency_code"
        case value
    }
}

struct SimLink: Codable, Sendable {
    var href: String
    var rel: String
    var method: String
}

/// `POST /v2/checkout/orders`. Only what the simulator uses; other fields are ignored.
struct SimCreateOrderRequest: Decodable {
    struct PurchaseUnit: Decodable {
        var amount: SimMoney?
        var description: String?
    }

    struct ApplicationContext: Decodable {
        var returnURL: String?
        var cancelURL: String?

        enum CodingKeys: String, CodingKey {
            case returnURL = "return_url"
            case cancelURL = "cancel_url"
        }
    }

    var intent: String?
    var purchaseUnits: [PurchaseUnit]?
    var applicationContext: ApplicationContext?

    enum CodingKeys: String, CodingKey {
        case intent
        case purchaseUnits = "purchase_units"
        case applicationContext = "application_context"
    }
}

/// An order as `GET /v2/checkout/orders/{id}` returns it.
struct SimOrderJSON: Encodable, Sendable {
    struct PurchaseUnit: Encodable, Sendable {
        var referenceID = "default"
        var amount: SimMoney
        var description: String?
        var payments: Payments?

        enum CodingKeys: String, CodingKey {
            case referenceID = "reference_id"
            case amount, description, payments
        }
    }

    struct Payments: Encodable, Sendable {
        var captures: [Capture]
    }

    struct Capture: Encodable, Sendable {
        var id: String
        var status: String
        var amount: SimMoney
        var finalCapture = true
        var createTime: String

        enum CodingKeys: String, CodingKey {
            case id, status, amount
            case finalCapture = "final_capture"
            case createTime = "create_time"
        }
    }

    struct Payer: Encodable, Sendable {
        var payerID: String
        var emailAddress: String

        enum CodingKeys: String, CodingKey {
            case payerID = "payer_id"
            case emailAddress = "email_address"
        }
    }

    var id: String
    var intent = "CAPTURE"
    var status: String
    var purchaseUnits: [PurchaseUnit]
    var payer: Payer?
    var createTime: String
    var updateTime: String?
    var links: [SimLink]

    enum CodingKeys: String, CodingKey {
        case id, intent, status, payer, links
        case purchaseUnits = "purchase_units"
        case createTime = "create_time"
        case updateTime = "update_time"
    }
}

/// PayPal's error body.
struct SimErrorJSON: Encodable {
    struct Detail: Encodable {
        var issue: String
        var description: String
    }

    var name: String
    var message: String
    var debugID: String
    var details: [Detail]

    enum CodingKeys: String, CodingKey {
        case name, message, details
        case debugID = "debug_id"
    }
}

/// A webhook event, as PayPal POSTs it.
struct SimEventJSON: Encodable {
    var id: String
    var eventVersion = "1.0"
    var createTime: String
    var resourceType = "checkout-order"
    var resourceVersion = "2.0"
    var eventType: String
    var summary: String
    var resource: SimOrderJSON

    enum CodingKeys: String, CodingKey {
        case id, summary, resource
        case eventVersion = "event_version"
        case createTime = "create_time"
        case resourceType = "resource_type"
        case resourceVersion = "resource_version"
        case eventType = "event_type"
    }
}

/// `POST /v1/notifications/verify-webhook-signature`.
struct SimVerifyRequest: Decodable {
    var authAlgo: String
    var certURL: String
    var transmissionID: String
    var transmissionSig: String
    var transmissionTime: String
    var webhookID: String
    var webhookEvent: JSONValue

    enum CodingKeys: String, CodingKey {
        case authAlgo = "auth_algo"
        case certURL = "cert_url"
        case transmissionID = "transmission_id"
        case transmissionSig = "transmission_sig"
        case transmissionTime = "transmission_time"
        case webhookID = "webhook_id"
        case webhookEvent = "webhook_event"
    }
}

/// Any JSON value, compared structurally (key order and whitespace do not matter).
indirect enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// CRC-32 (IEEE 802.3, as zlib computes it), which PayPal's webhook signatures cover.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

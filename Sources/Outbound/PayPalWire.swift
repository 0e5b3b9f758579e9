// The JSON PayPal's REST API sends and receives, as far as PayPalClient reads or writes it.
// Unknown fields are ignored; fields the client does not need are left out.

struct PayPalTokenReply: Decodable {
    var accessToken: String
    var expiresIn: Int?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresIn = "expires_in"
    }
}

struct PayPalMoney: Codable {
    var currencyCode: String
    var value: String

    enum CodingKeys: String, CodingKey {
        case currencyCode = "currency_code"
        case value
    }
}

struct PayPalCreateOrderRequest: Encodable {
    struct PurchaseUnit: Encodable {
        var amount: PayPalMoney
        var description: String
    }

    struct ApplicationContext: Encodable {
        var returnURL: String
        var cancelURL: String
        var userAction = "PAY_NOW"
        var shippingPreference = "NO_SHIPPING"

        enum CodingKeys: String, CodingKey {
            case returnURL = "return_url"
            case cancelURL = "cancel_url"
            case userAction = "user_action"
            case shippingPreference = "shipping_preference"
        }
    }

    var intent = "CAPTURE"
    var purchaseUnits: [PurchaseUnit]
    var applicationContext: ApplicationContext

    enum CodingKeys: String, CodingKey {
        case intent
        case purchaseUnits = "purchase_units"
        case applicationContext = "application_context"
    }
}

struct PayPalOrderReply: Decodable {
    struct PurchaseUnit: Decodable {
        var amount: PayPalMoney?
        var payments: Payments?
    }

    struct Payments: Decodable {
        var captures: [Capture]?
    }

    struct Capture: Decodable {
        var id: String
        var status: String?
        var amount: PayPalMoney?
    }

    struct Link: Decodable {
        var href: String
        var rel: String
    }

    var id: String
    var status: String?
    var purchaseUnits: [PurchaseUnit]?
    var links: [Link]?

    enum CodingKeys: String, CodingKey {
        case id, status, links
        case purchaseUnits = "purchase_units"
    }
}

/// PayPal's error body: `{"name":"UNPROCESSABLE_ENTITY","details":[{"issue":"ORDER_ALREADY_CAPTURED",…}],
/// "message":…,"debug_id":…}`, or OAuth's `{"error":"invalid_client","error_description":…}`.
struct PayPalErrorReply: Decodable {
    struct Detail: Decodable {
        var issue: String?
        var description: String?
    }

    var name: String?
    var message: String?
    var debugID: String?
    var details: [Detail]?
    var error: String?
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case name, message, details, error
        case debugID = "debug_id"
        case errorDescription = "error_description"
    }
}

/// The verification request without `webhook_event`, which is appended as the raw received bytes.
struct PayPalVerifyRequestHead: Encodable {
    var authAlgo: String
    var certURL: String
    var transmissionID: String
    var transmissionSig: String
    var transmissionTime: String
    var webhookID: String

    enum CodingKeys: String, CodingKey {
        case authAlgo = "auth_algo"
        case certURL = "cert_url"
        case transmissionID = "transmission_id"
        case transmissionSig = "transmission_sig"
        case transmissionTime = "transmission_time"
        case webhookID = "webhook_id"
    }
}

struct PayPalVerifyReply: Decodable {
    var verificationStatus: String

    enum CodingKeys: String, CodingKey {
        case verificationStatus = "verification_status"
    }
}

struct PayPalEventWire: Decodable {
    struct Resource: Decodable {
        struct SupplementaryData: Decodable {
            struct RelatedIDs: Decodable {
                var orderID: String?
                enum CodingKeys: String, CodingKey { case orderID = "order_id" }
            }
            var relatedIDs: RelatedIDs?
            enum CodingKeys: String, CodingKey { case relatedIDs = "related_ids" }
        }

        var id: String?
        var status: String?
        var supplementaryData: SupplementaryData?

        enum CodingKeys: String, CodingKey {
            case id, status
            case supplementaryData = "supplementary_data"
        }
    }

    var id: String
    var eventType: String
    var resourceType: String?
    var resource: Resource?

    enum CodingKeys: String, CodingKey {
        case id, resource
        case eventType = "event_type"
        case resourceType = "resource_type"
    }
}

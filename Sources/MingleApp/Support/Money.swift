import Foundation

/// Fees are integers in the currency's minor unit; these are the currencies PayPal takes.
enum Money {
    static let currencies = ["AUD", "BRL", "CAD", "CHF", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "ILS", "JPY",
                             "MXN", "NOK", "NZD", "PHP", "PLN", "SEK", "SGD", "THB", "TWD", "USD"]
    private static let zeroDecimal: Set = ["HUF", "JPY", "TWD"]

    static func decimals(_ currency: String) -> Int { zeroDecimal.contains(currency) ? 0 : 2 }

    /// "12.5" or "12,50" in EUR → 1250; nil for anything that is not a plain non-negative amount
    /// with at most the currency's decimals.
    static func parse(_ text: String, currency: String) -> Int? {
        let normalized = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        let parts = normalized.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = parts.first, !whole.isEmpty, whole.count <= 7,
              whole.allSatisfy(\.isASCII), whole.allSatisfy(\.isNumber) else { return nil }
        let places = decimals(currency)
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= places, fraction.allSatisfy({ $0.isASCII && $0.isNumber }), !(parts.count == 2 && fraction.isEmpty) else { return nil }
        fraction += String(repeating: "0", count: places - fraction.count)
        return Int(whole + fraction)
    }

    /// 1250, "EUR" → "12.50 EUR"; 1500, "JPY" → "1500 JPY".
    static func format(_ minor: Int, _ currency: String) -> String {
        "\(plain(minor, currency)) \(currency)"
    }

    /// 1250, "EUR" → "12.50" (as a form shows it).
    static func plain(_ minor: Int, _ currency: String) -> String {
        let places = decimals(currency)
        guard places > 0 else { return String(minor) }
        let divisor = Int(pow(10, Double(places)))
        let fraction = String(minor % divisor)
        return "\(minor / divisor).\(String(repeating: "0", count: places - fraction.count))\(fraction)"
    }
}

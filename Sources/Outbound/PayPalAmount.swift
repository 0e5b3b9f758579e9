/// Money as PayPal writes it: a decimal string with as many fraction digits as the currency has.
/// Mingle keeps amounts as integer minor units (cents; whole yen for JPY).
public enum PayPalAmount {
    /// Currencies PayPal accepts only without decimals.
    public static let zeroDecimalCurrencies: Set<String> = ["HUF", "JPY", "TWD"]

    /// Fraction digits PayPal expects for `currency` (ISO 4217 code, any case): 0 or 2.
    public static func decimals(for currency: String) -> Int {
        zeroDecimalCurrencies.contains(currency.uppercased()) ? 0 : 2
    }

    /// `1250, "EUR"` → `"12.50"`; `1500, "JPY"` → `"1500"`. Negative amounts keep their sign.
    public static func format(minor: Int, currency: String) -> String {
        let digits = decimals(for: currency)
        guard digits > 0 else { return String(minor) }
        let magnitude = minor.magnitude
        let divisor = (0..<digits).reduce(UInt(1)) { value, _ in value * 10 }
        let fraction = String(magnitude % divisor)
        let padded = String(repeating: "0", count: digits - fraction.count) + fraction
        return (minor < 0 ? "-" : "") + String(magnitude / divisor) + "." + padded
    }

    /// `"12.50", "EUR"` → `1250`; `"12.5"` → `1250`; `"1500", "JPY"` → `1500`. Nil for anything
    /// that is not a plain non-negative decimal, or has more fraction digits than the currency.
    public static func parse(_ value: String, currency: String) -> Int? {
        let digits = decimals(for: currency)
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 15,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= digits, fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
              parts.count == 1 || !fraction.isEmpty else { return nil }
        fraction += String(repeating: "0", count: digits - fraction.count)
        return Int(String(whole) + fraction)
    }
}

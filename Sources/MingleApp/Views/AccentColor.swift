import Foundation

/// Contrast arithmetic for tenant accent colours (WCAG 2 relative luminance).
enum AccentColor {
    static let pageBackground = "#f6f6f9"

    /// The colour darkened in small steps until white text on it and it on the page
    /// background both reach 4.5:1.
    static func readable(_ hex: String) -> String {
        guard var rgb = components(hex) else { return "#3730a3" }
        for _ in 0..<60 {
            let candidate = format(rgb)
            if contrast(candidate, "#ffffff") >= 4.5 && contrast(candidate, pageBackground) >= 4.5 { return candidate }
            rgb = rgb.map { $0 * 0.94 }
        }
        return format(rgb)
    }

    static func contrast(_ a: String, _ b: String) -> Double {
        let la = luminance(a), lb = luminance(b)
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }

    static func luminance(_ hex: String) -> Double {
        guard let rgb = components(hex) else { return 0 }
        let linear = rgb.map { v -> Double in
            let c = v / 255
            return c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    }

    static func components(_ hex: String) -> [Double]? {
        let digits = Array(hex.dropFirst())
        guard hex.hasPrefix("#"), digits.count == 6 else { return nil }
        return stride(from: 0, to: 6, by: 2).compactMap { Int(String(digits[$0..<($0 + 2)]), radix: 16).map(Double.init) }
    }

    static func format(_ rgb: [Double]) -> String {
        "#" + rgb.map { String(format: "%02x", Int($0.rounded())) }.joined()
    }
}

import Foundation
import Store

/// What an answer to a profile section may be. Pure: used when a member saves their profile
/// and when an organizer redefines a section (answers that no longer fit are dropped).
enum ProfileRules {
    static func maxLength(_ kind: ProfileSection.Kind) -> Int {
        switch kind {
        case .shortText, .choice: 200
        case .longText: 4000
        case .link: 500
        }
    }

    /// Whether a non-empty answer is valid under the section's current definition.
    static func fits(_ value: String, _ section: ProfileSection) -> Bool {
        guard value.unicodeScalars.count <= maxLength(section.kind) else { return false }
        switch section.kind {
        case .shortText: return !value.contains(where: \.isNewline)
        case .longText: return true
        case .choice: return section.options.contains(value)
        case .link: return isWebAddress(value)
        }
    }

    /// Why an answer is refused, or nil.
    static func problem(_ value: String, _ section: ProfileSection) -> String? {
        if value.isEmpty { return section.required ? "\(section.label): this field is required." : nil }
        if value.unicodeScalars.count > maxLength(section.kind) {
            return "\(section.label): at most \(maxLength(section.kind)) characters."
        }
        guard !fits(value, section) else { return nil }
        switch section.kind {
        case .shortText: return "\(section.label): keep it to one line."
        case .longText: return nil
        case .choice: return "\(section.label): choose one of the options."
        case .link: return "\(section.label): give a web address starting with https:// or http://."
        }
    }

    static func isWebAddress(_ value: String) -> Bool {
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host, host.contains("."), !value.contains(where: \.isWhitespace) else { return false }
        return true
    }
}

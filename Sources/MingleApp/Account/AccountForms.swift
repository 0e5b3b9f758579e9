import Foundation
import Store

/// The name form of the account page: both names, each checked beside its field.
struct NameForm: Equatable {
    var firstName: String
    var lastName: String

    init(firstName: String, lastName: String) { (self.firstName, self.lastName) = (firstName, lastName) }

    init(_ form: FormData) {
        (firstName, lastName) = (form.text("first_name"), form.text("last_name"))
    }

    static let maxLength = 80

    var firstNameProblem: String? { Self.problem(firstName, "first name") }
    var lastNameProblem: String? { Self.problem(lastName, "last name") }
    var isValid: Bool { firstNameProblem == nil && lastNameProblem == nil }

    private static func problem(_ value: String, _ what: String) -> String? {
        if value.isEmpty { return "Give your \(what)." }
        let length = value.unicodeScalars.count
        if length > maxLength { return "Your \(what) can be up to \(maxLength) characters; this one has \(length)." }
        return nil
    }
}

/// A change of email address: what is wrong with the new one, in plain words, or nil.
enum EmailChangeRules {
    static let lifetime = Duration.seconds(48 * 3600)
    /// Tries of an address (free or not) per person and hour.
    static let requestsPerHour = 10

    static func problem(_ wanted: String, current: String, inUse: Bool) -> String? {
        if wanted.isEmpty { return "Give the new address." }
        if !Validation.isEmail(wanted) { return "That is not an email address we can write to (like name@example.com)." }
        if wanted.lowercased() == current.lowercased() { return "That is already your address." }
        if inUse { return "Another account uses that address. Choose another, or sign in to that account." }
        return nil
    }
}

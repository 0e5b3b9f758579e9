import Foundation

/// The sign-in form (`/sign-in`): where to go afterwards, and after a failed try the username
/// given and why it failed.
struct SignInModel: Encodable, Equatable {
    var next: String
    var username = ""
    var error = ""
}

/// A form whose only data is a one-line error (forgotten password, change of password).
struct FormErrorModel: Encodable, Equatable {
    var error: String
}

/// Changing one's password (`/account/password`): after a refused try, each problem beside its
/// field (passwords are never sent back).
struct ChangePasswordModel: Encodable, Equatable {
    var currentProblem: String?
    var passwordProblem: String?
    var confirmationProblem: String?
    /// A problem of the whole form (too many tries).
    var error: String?
    /// The account page on a community's site; none on the platform's.
    var backURL: String?

    init(site: Site) { backURL = site.tenant == nil ? nil : "/account" }

    var hasProblems: Bool { currentProblem != nil || passwordProblem != nil || confirmationProblem != nil }
}

/// Choosing a new password with a reset link's token.
struct ResetPasswordModel: Encodable, Equatable {
    var token: String
    var error = ""
}

/// An error page with a way onward besides home, e.g. an expired link and where to get a new one.
struct ErrorWithActionModel: Encodable, Equatable {
    var heading: String
    var message: String
    var actionURL: String
    var actionLabel: String
    var homeURL: String

    /// A single-use link that was used, expired or never existed (status 410).
    static func linkExpired(_ message: String, actionURL: String, actionLabel: String) -> ErrorWithActionModel {
        ErrorWithActionModel(heading: "This link no longer works", message: message, actionURL: actionURL,
                             actionLabel: actionLabel, homeURL: "/")
    }
}

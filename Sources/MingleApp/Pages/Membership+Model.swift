import Foundation
import Store

/// What membership of a tenant costs, as the join page shows it.
struct MembershipTermsModel: Encodable, Equatable {
    var free: Bool
    var fee: String
    var welcome: String

    init(_ settings: MembershipSettings) {
        (free, fee, welcome) = (settings.isFree, Money.format(settings.feeMinor, settings.currency), settings.welcomeText)
    }
}

/// The registration form (`/register`): the terms, and after a failed try what was given
/// (never the password) and what is wrong.
struct RegisterModel: Encodable, Equatable {
    var free: Bool
    var fee: String
    var welcome: String
    /// What is wrong with each field, and a problem of the whole form (too many tries).
    var problems: FormProblems
    var error: String?
    var username, firstName, lastName, email: String
    /// The username belongs to an existing account: the page offers to sign in with it and join.
    var signInToJoin: String?

    enum CodingKeys: String, CodingKey {
        case free, fee, welcome, problems, error, username, firstName = "first_name", lastName = "last_name", email, signInToJoin
    }

    init(terms: MembershipTermsModel, form: RegistrationForm? = nil, problems: FormProblems = FormProblems(), error: String? = nil) {
        (free, fee, welcome) = (terms.free, terms.fee, terms.welcome)
        (self.problems, self.error) = (problems, error)
        (username, firstName) = (form?.username ?? "", form?.firstName ?? "")
        (lastName, email) = (form?.lastName ?? "", form?.email ?? "")
        if let form, problems["username"] == RegistrationForm.takenMessage(form.username) {
            var query = URLComponents()
            query.queryItems = [URLQueryItem(name: "next", value: "/join"), URLQueryItem(name: "username", value: form.username)]
            signInToJoin = "/sign-in?" + (query.percentEncodedQuery ?? "")
        }
    }
}

/// The page a confirmation link opens: its button posts the token.
struct ConfirmEmailModel: Encodable, Equatable {
    var token: String
}

/// Where a person stands with their membership (`/membership`): the next step, and their payments.
struct MembershipModel: Encodable, Equatable {
    struct Payment: Encodable, Equatable {
        var when: String
        var amount: String
        var status: String
    }

    var confirmed: Bool
    var active: Bool
    var suspended: Bool
    var needsConfirmation: Bool
    var needsPayment: Bool
    var paymentsReady: Bool
    var fee: String
    var free: Bool
    var welcome: String
    var payments: [Payment]
    var hasPayments: Bool

    init(status: MembershipStatus, emailConfirmed: Bool, settings: MembershipSettings, payments: [Store.Payment], zone: TimeZone) {
        let terms = MembershipTermsModel(settings)
        confirmed = emailConfirmed
        active = status == .active
        suspended = status == .suspended
        needsConfirmation = !emailConfirmed && status == .awaitingPayment
        needsPayment = status == .awaitingPayment && !settings.isFree && emailConfirmed
        paymentsReady = !settings.payPalClientID.isEmpty && settings.payPalSecretSealed != nil
        (fee, free, welcome) = (terms.fee, terms.free, terms.welcome)
        self.payments = payments.map {
            Payment(when: LocalTime.dateTime($0.createdAt, in: zone),
                    amount: Money.format($0.amountMinor, $0.currency), status: $0.status.rawValue)
        }
        hasPayments = !payments.isEmpty
    }
}

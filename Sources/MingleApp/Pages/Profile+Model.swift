import Foundation
import Store

/// The member's own profile form (`/profile`): the picture and one field per section.
struct ProfileEditModel: Encodable, Equatable {
    struct Field: Encodable, Equatable {
        struct Option: Encodable, Equatable {
            var option: String
            var selected: Bool
        }

        var id: String
        var label: String
        var value: String
        var required: Bool
        var isShort: Bool
        var isLong: Bool
        var isChoice: Bool
        var isLink: Bool
        var max: Int
        var options: [Option]
        /// What is wrong with the answer given, beside the field.
        var problem: String?

        init(_ section: ProfileSection, value: String, problem: String? = nil) {
            self.problem = problem
            (id, label, self.value, required) = (section.id.uuidString.lowercased(), section.label, value, section.required)
            (isShort, isLong) = (section.kind == .shortText, section.kind == .longText)
            (isChoice, isLink) = (section.kind == .choice, section.kind == .link)
            max = ProfileRules.maxLength(section.kind)
            options = section.options.map { Option(option: $0, selected: $0 == value) }
        }
    }

    var problems: FormProblems
    var pictureURL: String?
    var hasPicture: Bool
    /// A picture chosen in a refused try, kept for the next (a `data:` URL of the processed image:
    /// a file input cannot be filled again).
    var keptPicture: String?
    var noSections: Bool
    var sections: [Field]
    /// Copying the profile from another community, offered while this one is empty.
    var copyOffer: ProfileCopyOfferModel?

    /// `answers` by section id: saved ones, or those just given when `problems` say what is wrong
    /// (by field id: `s-<section id>`, `picture`).
    init(sections: [ProfileSection], answers: [UUID: String], picture: UUID?, problems: FormProblems = FormProblems(),
         keptPicture: String? = nil) {
        self.problems = problems
        (pictureURL, hasPicture, self.keptPicture) = (picture.map(PageLinks.image), picture != nil, keptPicture)
        noSections = sections.isEmpty
        self.sections = sections.map {
            Field($0, value: answers[$0.id] ?? "", problem: problems[ProfileEditModel.fieldID($0.id)])
        }
    }

    static func fieldID(_ section: UUID) -> String { "s-\(section.uuidString.lowercased())" }
}

/// A member's profile (`/people/<username>`) as `me` sees it, with what they may do: connect,
/// answer a request, write.
struct PersonModel: Encodable, Equatable {
    struct Field: Encodable, Equatable {
        var label: String
        var value: String
        var isLink: Bool
        var isLong: Bool
    }

    var id: String
    var name: String
    var username: String
    var role: String
    var isOrganizer: Bool
    var isMe: Bool
    var canConnect: Bool
    var connected: Bool
    var canMessage: Bool
    var requestSent: Bool
    var requestReceived: Bool
    var connectionID: String?
    var pictureURL: String?
    var hasPicture: Bool
    var initials: String
    /// The answered sections, in section order.
    var fields: [Field]
    var noFields: Bool

    /// `connection` is the one between `me` and `member`, if any.
    init(_ member: MemberRecord, sections: [ProfileSection], answers: [UUID: String], picture: UUID?,
         connection: Connection?, me: Visitor) {
        let user = member.user
        (id, name, username, role) = (user.id.uuidString, user.displayName, user.username, member.role.rawValue)
        (isOrganizer, isMe) = (member.role == .organizer, user.id == me.userID)
        connected = connection?.status == .accepted
        canConnect = !isMe && me.membershipStatus == .active && connection == nil
        canMessage = !isMe && me.role != nil && MessagingRules.mayConverse(me.role ?? .member, member.role, connected: connected)
        requestSent = connection?.status == .pending && connection?.requester == me.userID
        requestReceived = connection?.status == .pending && connection?.recipient == me.userID
        connectionID = connection?.id.uuidString.lowercased()
        (pictureURL, hasPicture, initials) = (picture.map(PageLinks.image), picture != nil, PageLinks.initials(user.displayName))
        fields = sections.compactMap { s in
            answers[s.id].map { Field(label: s.label, value: $0, isLink: s.kind == .link, isLong: s.kind == .longText) }
        }
        noFields = fields.isEmpty
    }
}

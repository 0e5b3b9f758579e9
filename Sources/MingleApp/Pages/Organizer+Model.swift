import Foundation
import Store

/// One choice of a "kind of answer" picker (profile sections, survey questions).
struct KindOption: Encodable, Equatable {
    var value: String
    var name: String
    var selected: Bool

    /// `kinds` as (value, name), the one whose value is `selected` selected.
    static func list(_ kinds: [(String, String)], selected: String) -> [KindOption] {
        kinds.map { KindOption(value: $0.0, name: $0.1, selected: $0.0 == selected) }
    }
}

/// The organizer portal's overview (`/organize`): everyone who belongs to the site.
struct OrganizerDashboardModel: Encodable, Equatable {
    struct Member: Encodable, Equatable {
        var name: String
        var username: String
        var role: String
        var status: String
    }

    var members: [Member]
    var count: Int
    /// "1 person belongs" / "12 people belong".
    var belong: String
    var empty: Bool
    /// The first-steps checklist, until every step is done.
    var setup: SetupChecklistModel?

    init(members: [MemberRecord], setup: SetupChecklistModel? = nil) {
        self.setup = setup?.complete == false ? setup : nil
        self.members = members.map { m in
            Member(name: m.user.displayName, username: m.user.username, role: m.role.rawValue,
                   status: m.status.rawValue.replacingOccurrences(of: "_", with: " "))
        }
        (count, empty) = (members.count, members.isEmpty)
        belong = members.count == 1 ? "1 person belongs" : "\(members.count) people belong"
    }
}

/// The branding form (`/organize/branding`), as saved or as typed with what is wrong.
struct BrandingPageModel: Encodable, Equatable {
    struct Zone: Encodable, Equatable { var name: String; var selected: Bool }
    var problems: FormProblems
    var titleText: String
    var header: String
    var footer: String
    var links: String
    var accent: String
    var zones: [Zone]

    enum CodingKeys: String, CodingKey {
        case problems, titleText = "title_text", header, footer, links, accent, zones
    }

    init(_ form: BrandingForm, problems: FormProblems) {
        self.problems = problems
        (titleText, header, footer, links, accent) = (form.title, form.header, form.footer, form.links, form.accent)
        zones = LocalTime.choices(selected: form.zone).map { Zone(name: $0, selected: $0 == form.zone) }
    }
}

import Foundation
import Store

/// The People page (`/people`): one page of the tenant's active members, searchable.
struct PeopleModel: Encodable, Equatable {
    struct Person: Encodable, Equatable {
        var id: String
        var username: String
        var name: String
        var headlines: [String]
        var pictureURL: String?
        var hasPicture: Bool
        var initials: String
    }

    var people: [Person]
    var q: String
    var total: Int
    /// "1 member" / "24 members".
    var totalMembers: String
    var empty: Bool
    var searching: Bool
    var page: Int
    var pages: Int
    var previousURL: String?
    var nextURL: String?

    /// `page` is the page shown (1-based), `total` how many match `search` in all.
    init(people: [PersonSummary], search: String, total: Int, page: Int, pageSize: Int) {
        let pages = max(1, (total + pageSize - 1) / pageSize)
        let query = search.isEmpty ? "" : "&q=\(search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        self.people = people.map { p in
            Person(id: p.userID.uuidString, username: p.username, name: p.displayName, headlines: p.headlines,
                   pictureURL: p.pictureID.map(PageLinks.image), hasPicture: p.pictureID != nil,
                   initials: PageLinks.initials(p.displayName))
        }
        (q, self.total, empty, searching) = (search, total, people.isEmpty, !search.isEmpty)
        totalMembers = SessionsController.count(total, "member", "members")
        (self.page, self.pages) = (page, pages)
        previousURL = page > 1 ? "/people?page=\(page - 1)\(query)" : nil
        nextURL = page < pages ? "/people?page=\(page + 1)\(query)" : nil
    }
}

/// Small pieces several page models share.
enum PageLinks {
    static func image(_ id: UUID) -> String { "/images/\(id.uuidString.lowercased())" }

    /// Up to two initials for a person without a picture: "Ana de Souza" → "AD".
    static func initials(_ name: String) -> String {
        String(name.split(separator: " ").prefix(2).compactMap(\.first)).uppercased()
    }
}

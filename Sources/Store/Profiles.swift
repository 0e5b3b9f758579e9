import Foundation
import PostgresNIO

/// One field of a tenant's member profiles, as the organizer defined it.
public struct ProfileSection: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case shortText = "short_text", longText = "long_text", choice, link }
    public var id: UUID
    public var label: String
    public var kind: Kind
    public var options: [String]
    public var required: Bool
    /// Shown under the name on the people page.
    public var headline: Bool
    public var position: Int

    public init(id: UUID = UUID(), label: String, kind: Kind, options: [String] = [], required: Bool = false,
                headline: Bool = false, position: Int = 0) {
        self.id = id
        self.label = label
        self.kind = kind
        self.options = options
        self.required = required
        self.headline = headline
        self.position = position
    }
}

/// A member as the people page lists them.
public struct PersonSummary: Sendable, Equatable {
    public var userID: UserID
    public var username: String
    public var displayName: String
    public var pictureID: UUID?
    /// Values of the headline sections, in section order.
    public var headlines: [String]

    public init(userID: UserID, username: String, displayName: String, pictureID: UUID?, headlines: [String]) {
        (self.userID, self.username, self.displayName, self.pictureID, self.headlines) = (userID, username, displayName, pictureID, headlines)
    }
}

extension Transaction {
    /// `locked`: FOR SHARE, so an organizer's change waits until this transaction ends (and then
    /// sees, and re-checks, what it wrote).
    public func profileSections(locked: Bool = false) async throws -> [ProfileSection] {
        try await query(PostgresQuery(unsafeSQL: """
            SELECT id, label, kind, options::text, required, headline, position FROM profile_sections ORDER BY position, label
            \(locked ? "FOR SHARE" : "")
            """)).all((UUID, String, String, String, Bool, Bool, Int).self).map { row in
                ProfileSection(id: row.0, label: row.1, kind: ProfileSection.Kind(rawValue: row.2) ?? .shortText,
                               options: (try? JSONDecoder().decode([String].self, from: Data(row.3.utf8))) ?? [],
                               required: row.4, headline: row.5, position: row.6)
            }
    }

    public func insertProfileSection(tenant: TenantID, _ section: ProfileSection) async throws {
        try await execute("""
            INSERT INTO profile_sections (tenant_id, id, label, kind, options, required, headline, position)
            VALUES (\(tenant), \(section.id), \(section.label), \(section.kind.rawValue), \(try Self.json(section.options))::jsonb,
                    \(section.required), \(section.headline),
                    (SELECT coalesce(max(position), 0) + 1 FROM profile_sections WHERE tenant_id = \(tenant)))
            """)
    }

    /// False when the tenant has no such section (RLS hides other tenants' rows).
    @discardableResult
    public func updateProfileSection(_ section: ProfileSection) async throws -> Bool {
        try await query("""
            UPDATE profile_sections SET label = \(section.label), kind = \(section.kind.rawValue),
                options = \(try Self.json(section.options))::jsonb, required = \(section.required), headline = \(section.headline)
            WHERE id = \(section.id) RETURNING id
            """).first(UUID.self) != nil
    }

    /// False when the tenant has no such section (RLS hides other tenants' rows).
    @discardableResult
    public func deleteProfileSection(_ id: UUID) async throws -> Bool {
        try await query("DELETE FROM profile_sections WHERE id = \(id) RETURNING id").first(UUID.self) != nil
    }

    /// Swaps a section with its neighbour above (`by` -1) or below (+1); at an end, nothing happens.
    /// False when the tenant has no such section.
    @discardableResult
    public func moveProfileSection(_ id: UUID, by step: Int) async throws -> Bool {
        let sections = try await profileSections()
        guard let index = sections.firstIndex(where: { $0.id == id }) else { return false }
        guard sections.indices.contains(index + step) else { return true }
        let other = sections[index + step]
        // Positions are renumbered densely first, so equal positions cannot make the swap a no-op.
        for (position, section) in sections.enumerated() {
            let target = section.id == id ? index + step : (section.id == other.id ? index : position)
            try await execute("UPDATE profile_sections SET position = \(target + 1) WHERE id = \(section.id)")
        }
        return true
    }

    /// A member's answers by section.
    public func profileAnswers(user: UserID) async throws -> [UUID: String] {
        let rows = try await query("SELECT section_id, value FROM profile_answers WHERE user_id = \(user)").all((UUID, String).self)
        return Dictionary(rows, uniquingKeysWith: { first, _ in first })
    }

    /// Every answer given to one section, for re-checking them when its definition changes.
    public func answers(section: UUID) async throws -> [(user: UserID, value: String)] {
        try await query("SELECT user_id, value FROM profile_answers WHERE section_id = \(section)").all((UUID, String).self)
            .map { ($0.0, $0.1) }
    }

    public func deleteAnswer(user: UserID, section: UUID) async throws {
        try await execute("DELETE FROM profile_answers WHERE user_id = \(user) AND section_id = \(section)")
    }

    /// Replaces a member's answers: empty values remove the answer.
    public func saveProfileAnswers(tenant: TenantID, user: UserID, _ answers: [UUID: String]) async throws {
        for (section, value) in answers {
            if value.isEmpty {
                try await deleteAnswer(user: user, section: section)
            } else {
                try await execute("""
                    INSERT INTO profile_answers (tenant_id, user_id, section_id, value) VALUES (\(tenant), \(user), \(section), \(value))
                    ON CONFLICT (tenant_id, user_id, section_id) DO UPDATE SET value = EXCLUDED.value
                    """)
            }
        }
        try await execute("""
            INSERT INTO profiles (tenant_id, user_id) VALUES (\(tenant), \(user))
            ON CONFLICT (tenant_id, user_id) DO UPDATE SET updated_at = now()
            """)
    }

    public func profilePicture(user: UserID) async throws -> UUID? {
        try await query("SELECT picture_image_id FROM profiles WHERE user_id = \(user)").first(UUID?.self) ?? nil
    }

    /// Sets or removes the picture; the one it replaces is deleted.
    public func setProfilePicture(tenant: TenantID, user: UserID, image: UUID?) async throws {
        let previous = try await profilePicture(user: user)
        try await execute("""
            INSERT INTO profiles (tenant_id, user_id, picture_image_id) VALUES (\(tenant), \(user), \(image))
            ON CONFLICT (tenant_id, user_id) DO UPDATE SET picture_image_id = EXCLUDED.picture_image_id, updated_at = now()
            """)
        if let previous, previous != image { try await deleteImageIfUnused(previous) }
    }

    /// Active members of the current tenant, by name, whose name, username or any profile answer
    /// contains `search`; one page of them and how many match in all.
    /// One page of the tenant's active people matching `search` (name, username or any
    /// profile answer), in name order, and how many match in all — one prepared statement
    /// (the count a window over the matches); a page past the end asks for the count alone.
    public func people(search: String, offset: Int, limit: Int) async throws -> (people: [PersonSummary], total: Int) {
        let pattern = "%" + search.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        let rows = try await rows(PeoplePage(pattern: pattern, offset: offset, limit: limit))
        if let total = rows.first?.total { return (rows.map(\.person), total) }
        return ([], offset == 0 ? 0 : try await self.rows(PeopleCount(pattern: pattern)).first ?? 0)
    }

    private static func json(_ options: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
    }
}

/// Who of the tenant's active members matches a search pattern (`ILIKE`, escaped).
private let peopleMatching = """
    FROM memberships m JOIN users u ON u.id = m.user_id
    LEFT JOIN profiles p ON p.tenant_id = m.tenant_id AND p.user_id = m.user_id
    WHERE m.tenant_id = app_tenant_id() AND m.status = 'active'
      AND (u.first_name || ' ' || u.last_name ILIKE $1 OR u.username ILIKE $1
           OR EXISTS (SELECT 1 FROM profile_answers a WHERE a.tenant_id = m.tenant_id AND a.user_id = m.user_id
                      AND a.value ILIKE $1))
    """

/// The People page: the page's rows with the number of matches; headlines only for the page.
struct PeoplePage: PostgresPreparedStatement {
    static let sql = """
        WITH page AS (
            SELECT m.tenant_id, m.user_id, u.username, u.first_name, u.last_name, p.picture_image_id,
                   count(*) OVER ()::int AS total,
                   row_number() OVER (ORDER BY lower(u.last_name), lower(u.first_name), u.username) AS position
            \(peopleMatching)
            ORDER BY position OFFSET $2 LIMIT $3)
        SELECT user_id, username, first_name, last_name, picture_image_id,
               coalesce((SELECT array_agg(a.value ORDER BY s.position) FROM profile_answers a
                         JOIN profile_sections s ON s.tenant_id = a.tenant_id AND s.id = a.section_id AND s.headline
                         WHERE a.tenant_id = page.tenant_id AND a.user_id = page.user_id), '{}'),
               total
        FROM page ORDER BY position
        """
    struct Row { var person: PersonSummary; var total: Int }
    var pattern: String
    var offset: Int
    var limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(pattern)
        bindings.append(offset)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, username, first, last, picture, headlines, total) = try row.decode((UUID, String, String, String, UUID?, [String], Int).self)
        let name = "\(first) \(last)".trimmingCharacters(in: .whitespaces)
        return Row(person: PersonSummary(userID: id, username: username, displayName: name.isEmpty ? username : name,
                                         pictureID: picture, headlines: headlines), total: total)
    }
}

/// How many people match, for a page asked past the end.
struct PeopleCount: PostgresPreparedStatement {
    static let sql = "SELECT count(*)::int " + peopleMatching
    typealias Row = Int
    var pattern: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(pattern)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int.self) }
}

import Crypto
import Foundation
import RealTime
import Imaging
import SpeedNetworking
import Logging
import Matching
import PostgresNIO
import Store

/// `mingle seed-demo`: a platform admin and two branded demo tenants, each with an organizer
/// and a few members. Safe to re-run: what exists is left alone.
public struct DemoSeeder {
    public struct Login: Sendable { public var site: String; public var username: String; public var password: String; public var role: String }

    public static let adminPassword = "mingle-admin-pass"
    public static let demoPassword = "mingle-demo-pass"

    struct Pack: Decodable {
        var slug: String
        var name: String
        var title: String
        var header: String
        var footer: String
        var footerLinks: [FooterLink]
        var accentColor: String
        var people: [Person]
        var membership: Terms
        var profileSections: [Section]
        struct Person: Decodable { var username, firstName, lastName, email, role: String; var headline: String? }
        struct Terms: Decodable { var feeMinor: Int; var currency: String; var welcome: String; var payPalClientID: String }
        struct Section: Decodable { var label, kind: String; var options: [String]?; var headline: Bool?; var required: Bool? }
    }

    let config: AppConfiguration
    let logger: Logger

    public init(config: AppConfiguration, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    public func run() async throws -> [Login] {
        let passwords = Passwords(cost: config.bcryptCost)
        let adminHash = try await passwords.hash(Self.adminPassword)
        let demoHash = try await passwords.hash(Self.demoPassword)
        var logins = [Login(site: config.baseURL(tenantSlug: nil) + "/admin", username: "admin", password: Self.adminPassword, role: "platform admin")]

        // The owner's one statement on a connection of its own; the app's pool runs meanwhile, so
        // it has started by the time it is first used (no "run() hasn't been called" warning).
        let settings = config.database
        let owner = try await PostgresConnection.connect(
            configuration: .init(host: settings.host, port: settings.port, username: settings.ownerUser,
                                 password: settings.ownerPassword, database: settings.database, tls: .disable),
            id: 1, logger: logger)
        let app = PostgresClient(configuration: settings.appClientConfiguration(), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await app.run() }
            defer { group.cancelAll() }
            let adminID: UserID
            do {
                adminID = try await AdminAccounts.createOrPromote(owner, username: "admin", email: "admin@mingle.localhost",
                                                                 passwordHash: adminHash, logger: logger)
                try await owner.close()
            } catch {
                try? await owner.close()
                throw error
            }
            let database = Database(client: app, logger: logger)
            for slug in ["acme", "globex"] {
                logins += try await seed(slug: slug, database: database, admin: adminID, passwordHash: demoHash)
            }
            try await seedSessions(slug: "acme", database: database)
        }
        return logins
    }

    private func seed(slug: String, database: Database, admin: UserID, passwordHash: String) async throws -> [Login] {
        let folder = config.assetsPath + "/" + slug
        let pack = try JSONDecoder().decode(Pack.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/brand.json")))
        let logo = try ImageProcessor().process(Array(Data(contentsOf: URL(fileURLWithPath: folder + "/logo.png"))),
                                                into: .fit(width: 600, height: 200))
        let existing = try await database.withoutTenant { try await $0.tenant(slug: pack.slug) }
        if existing == nil {
            let tenantID = UUID()
            try await database.withPlatformAccess(actor: admin, tenant: tenantID, action: "seed demo tenant", detail: pack.slug) { tx in
                let branding = Branding(titleText: pack.title, headerText: pack.header, footerText: pack.footer,
                                        footerLinks: pack.footerLinks, accentColor: pack.accentColor)
                try await tx.insertTenant(id: tenantID, slug: pack.slug, name: pack.name, branding: branding)
                let digest = SHA256.hash(data: Data(logo.bytes)).map { String(format: "%02x", $0) }.joined()
                let image = try await tx.insertImage(tenant: tenantID, sha256: digest, mime: logo.mime,
                                                     width: logo.width, height: logo.height, bytes: logo.bytes)
                try await tx.setLogo(tenant: tenantID, image: image)
                // Demo payments go to the PayPal simulator, which takes any secret but "wrong-secret".
                let secret = pack.membership.payPalClientID.isEmpty ? nil
                    : try SecretBox(platformSecret: config.secretKey, purpose: "paypal").seal("\(pack.slug)-demo-secret")
                try await tx.saveMembershipSettings(tenant: tenantID, MembershipSettings(
                    feeMinor: pack.membership.feeMinor, currency: pack.membership.currency,
                    payPalClientID: pack.membership.payPalClientID, payPalSecretSealed: secret,
                    payPalWebhookID: pack.membership.payPalClientID.isEmpty ? "" : "WH-SIM-\(pack.membership.payPalClientID)",
                    welcomeText: pack.membership.welcome))
                var headlineSection: UUID?
                for section in pack.profileSections {
                    let defined = ProfileSection(label: section.label, kind: ProfileSection.Kind(rawValue: section.kind) ?? .shortText,
                                                 options: section.options ?? [], required: section.required ?? false,
                                                 headline: section.headline ?? false)
                    try await tx.insertProfileSection(tenant: tenantID, defined)
                    if defined.headline && headlineSection == nil { headlineSection = defined.id }
                }
                for person in pack.people {
                    let user: UserID
                    if let found = try await tx.credentials(username: person.username) {
                        user = found.id
                    } else {
                        user = try await tx.insertUser(username: person.username, email: person.email,
                                                       firstName: person.firstName, lastName: person.lastName,
                                                       passwordHash: passwordHash)
                    }
                    try await tx.insertMembership(tenant: tenantID, user: user, role: Role(rawValue: person.role) ?? .member)
                    if let headlineSection, let headline = person.headline {
                        try await tx.saveProfileAnswers(tenant: tenantID, user: user, [headlineSection: headline])
                    }
                }
            }
            logger.info("seeded demo tenant \(pack.slug)")
        }
        return pack.people.map {
            Login(site: config.baseURL(tenantSlug: pack.slug), username: $0.username, password: Self.demoPassword, role: $0.role)
        }
    }

    /// Two sessions for the demo, once: one whose lobby opens as soon as the demo starts (it
    /// begins ten minutes after seeding) and one next week. Members are invited as the
    /// organizer would invite them, so the invitations wait in the outbox.
    private func seedSessions(slug: String, database: Database) async throws {
        guard let tenant = try await database.withoutTenant({ try await $0.tenant(slug: slug) }) else { return }
        let views = try await Views(templatesPath: config.templatesPath, platformBrand: try PlatformBrand.load(assetsPath: config.assetsPath),
                                    rootURL: config.baseURL(tenantSlug: nil))
        let announcer = SessionAnnouncer(config: config, mailer: Mailer(views: views))
        let organizer = try await database.withTenant(tenant.id) { try await $0.activeOrganizers().first }
        guard let organizer else { return }
        let survey = ["conversation-quality", "would-connect", "help-offered", "follow-up"].compactMap(SurveyBank.question(key:))
        let now = Date()
        // Ten minutes ahead or a little more, on a round five minutes.
        let soon = Date(timeIntervalSince1970: ((now.timeIntervalSince1970 + 10 * 60) / 300).rounded(.up) * 300)
        let nextWeek = Date(timeIntervalSince1970: ((now.timeIntervalSince1970 + 7 * 86_400) / 3600).rounded(.up) * 3600)
        let drafts = [
            SpeedNetworkingSessionDraft(title: "Spring founders' mixer", description: "Meet five other members in five-minute conversations. Bring one question you would like help with.",
                             startsAt: soon, endsAt: soon.addingTimeInterval(60 * 60), roundSeconds: 5 * 60, timeZone: "UTC",
                             questionsJSON: SurveyQuestion.encodeList(survey)),
            SpeedNetworkingSessionDraft(title: "Product people meet-up", description: "For everyone who builds products: short conversations, new people each round.",
                             startsAt: nextWeek, endsAt: nextWeek.addingTimeInterval(60 * 60), roundSeconds: 6 * 60, timeZone: "Europe/Paris",
                             questionsJSON: SurveyQuestion.encodeList(survey)),
        ]
        let seeded = try await database.withTenant(tenant.id, user: organizer) { tx -> Bool in
            guard try await tx.speedNetworkingSessions().isEmpty else { return false }
            for draft in drafts {
                let id = try await tx.insertSpeedNetworkingSession(tenant: tenant.id, draft, createdBy: organizer)
                if let session = try await tx.speedNetworkingSession(id) {
                    try await announcer.scheduled(tx, tenant: tenant, organizer: organizer, session: session)
                }
            }
            return true
        }
        if seeded { logger.info("seeded demo sessions for \(slug)") }
        // Keyed on the past session itself, so demo tenants seeded before it existed get it too.
        let hasPast = try await database.withTenant(tenant.id) { try await $0.speedNetworkingSessions().contains { $0.title == Self.pastSessionTitle } }
        if !hasPast { try await seedPastSession(tenant: tenant.id, organizer: organizer, survey: survey, database: database, now: now) }
    }

    static let pastSessionTitle = "Winter warm-up"

    /// A session held two weeks ago, with five rounds and their surveys, so the reports have
    /// something to show before the first live session (not announced: it is over).
    private func seedPastSession(tenant: TenantID, organizer: UserID, survey: [SurveyQuestion], database: Database, now: Date) async throws {
        let start = Date(timeIntervalSince1970: ((now.timeIntervalSince1970 - 14 * 86_400) / 3600).rounded(.down) * 3600)
        let draft = SpeedNetworkingSessionDraft(title: Self.pastSessionTitle, description: "Our first speed networking evening.",
                                     startsAt: start, endsAt: start + 45 * 60, roundSeconds: 5 * 60, timeZone: "UTC",
                                     questionsJSON: SurveyQuestion.encodeList(survey))
        let (session, members) = try await database.withTenant(tenant, user: organizer) { tx in
            (try await tx.insertSpeedNetworkingSession(tenant: tenant, draft, createdBy: organizer),
             try await tx.members().filter { $0.role == .member && $0.status == .active }.map(\.user).sorted { $0.username < $1.username })
        }
        let store = PostgresSpeedNetworkingStore(database: database, tenant: tenant)
        var random = SeededGenerator(seed: 2026)
        let remarks = ["Runs a bakery and wants to open a second shop", "Knows everyone in logistics", "Looking for a technical co-founder",
                       "Offered to review my pitch deck", "Great questions about pricing", "Moving to Lisbon in spring"]
        for (index, person) in members.enumerated() {
            let visit = UUID()
            try await store.recordAttendance(session: session, user: Participant(id: person.id, name: person.displayName, isOrganizer: false),
                                             visit: visit, at: start - Double(index % 4) * 60)
            try await store.recordLeaving(session: session, visit: visit, at: start + 45 * 60)
        }
        var met = Set<[UUID]>()
        for round in 1...5 {
            var order = members.shuffled(using: &random)
            let roundStart = start + Double((round - 1) * 7 * 60)
            var pairings: [PairingRecord] = []
            while order.count >= 2 {
                let a = order.removeLast(), b = order.removeLast()
                guard met.insert([a.id, b.id].sorted { $0.uuidString < $1.uuidString }).inserted else { continue }
                pairings.append(PairingRecord(id: UUID(), memberA: a.id, memberB: b.id, withOrganizer: false, round: round, startedAt: roundStart))
            }
            try await store.startPairings(session: session, pairings, prioritised: [])
            for pairing in pairings {
                let over = roundStart + 6 * 60
                try await store.endPairing(session: session, pairing: pairing.id, at: over, reason: .time, leftBy: nil, requeue: [])
                for (from, about) in [(pairing.memberA, pairing.memberB), (pairing.memberB, pairing.memberA)] {
                    var answers: [SurveyResponse.Answer] = []
                    for (position, question) in survey.enumerated() {
                        let value: String
                        switch question.kind {
                        case .rating: value = String(Int.random(in: 2...5, using: &random))
                        case .singleChoice(let options): value = options[Int.random(in: 0..<min(2, options.count), using: &random)]
                        case .freeText: guard Bool.random(using: &random) else { continue }; value = remarks.randomElement(using: &random)!
                        }
                        answers.append(.init(question: question, position: position, value: value))
                    }
                    try await store.recordResponse(session: session, SurveyResponse(pairing: pairing.id, submitter: from, target: about,
                                                                                    submittedAt: over + 40, answers: answers), requeue: nil)
                }
            }
        }
        logger.info("seeded a past demo session with surveys")
    }
}

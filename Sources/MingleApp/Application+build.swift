import Foundation
import Hummingbird
import MediaStore
import HummingbirdCore
import Logging
import Media
import Outbound
import PostgresNIO
import RealTime
import ServiceLifecycle
import Store

/// Builds the whole application: tests build exactly what `mingle serve` runs.
public func buildApplication(_ config: AppConfiguration, logger: Logger? = nil) async throws -> some ApplicationProtocol {
    try config.validate()
    var logger = logger ?? Logger(label: "mingle")
    if logger.logLevel > .info { logger.logLevel = .info }
    let client = PostgresClient(configuration: config.database.appClientConfiguration(), backgroundLogger: logger)
    let database = Database(client: client, logger: logger)
    let platformBrand = try PlatformBrand.load(assetsPath: config.assetsPath)
    let views = try await Views(templatesPath: config.templatesPath, platformBrand: platformBrand,
                                rootURL: config.baseURL(tenantSlug: nil))
    try views.requireTemplates(Views.requiredTemplates)
    let directory = TenantDirectory(database: database)
    let signer = Signer(secret: config.secretKey)
    let cookies = SessionCookies(secure: config.secureCookies)
    let services = AppServices(config: config, database: database, views: views, mailer: Mailer(views: views),
                               passwords: Passwords(cost: config.bcryptCost), signer: signer, cookies: cookies,
                               directory: directory)
    let platformLogo = Array(try Data(contentsOf: URL(fileURLWithPath: config.assetsPath + "/default/logo.png")))

    let router = Router(context: AppRequestContext.self)
    router.addMiddleware {
        SecurityHeadersMiddleware(scheme: config.publicScheme, rootHost: config.rootHost, formTargets: config.payPalWebOrigins)
        // Last resort for failures before the site is known (tenant or session look-up):
        // the platform's plain page, nothing of any tenant.
        PlainErrorMiddleware(views: views)
        PublicFilesMiddleware(files: FileMiddleware(config.publicPath, searchForIndexHtml: false, logger: logger))
        SiteMiddleware(rootHost: config.rootHost, directory: directory, views: views, trustForwardedFor: config.trustForwardedFor)
        AdmissionMiddleware(gate: AdmissionGate(config.pageAdmission ?? .forPool(of: config.database.maxConnections)), views: views)
        SessionMiddleware(database: database, cookies: cookies, signer: signer)
        ErrorPageMiddleware(views: views)
        FormMiddleware(exemptPrefixes: ["/api/", "/webhooks/"])
    }
    let auth = AuthController(app: services)
    auth.addRoutes(to: router)
    SiteController(app: services, platformLogo: platformLogo).addRoutes(to: router)
    AdminController(app: services, auth: auth).addRoutes(to: router)
    SiteRequestController(app: services).addRoutes(to: router)
    OrganizerController(app: services).addRoutes(to: router)
    MembershipController(app: services, auth: auth).addRoutes(to: router)
    // Who has a page open on this node (presence; the account page hides someone at once).
    let sockets = SocketDirectory()
    AccountController(app: services, sockets: sockets).addRoutes(to: router)
    OrganizerMembersController(app: services).addRoutes(to: router)
    OrganizerProfileController(app: services).addRoutes(to: router)
    ProfileController(app: services).addRoutes(to: router)
    PaymentController(app: services).addRoutes(to: router)
    ConnectionsController(app: services).addRoutes(to: router)
    MessagesController(app: services).addRoutes(to: router)
    TimeZoneController(app: services).addRoutes(to: router)
    // The real-time layer: every page's socket, the activities of this node (speed networking,
    // meetings, calls), their media rooms, presence and pushes.
    let media = MediaRooms(nodes: config.janusNodes, secretKey: config.secretKey, logger: logger)
    let ringer = Ringer(sockets: sockets)
    let missedEmails = MissedCallEmails(app: services)
    let activities = ActivityRegistry(
        loaders: [SpeedNetworkingLoader(database: database, clock: SystemActivityClock(), timings: config.speedNetworkingTimings),
                  MeetingLoader(database: database, clock: SystemActivityClock()),
                  CallLoader(database: database, clock: SystemActivityClock(), onMissed: missedEmails.hook, ringer: ringer),
                  WatchLoader(database: database, clock: SystemActivityClock())]
            + config.extraActivityLoaders,
        leases: DatabaseActivityLeases(store: ActivityLeaseStore(database: database)), media: media,
        timings: config.activityTimings, logger: logger)
    await media.onNodeLost { keys in await activities.mediaLost(keys) }
    let rechecks = PageRechecks(interval: config.liveRecheckInterval)
    let pushes = Pushes(database: database, sockets: sockets, logger: logger)
    let live = RealTimeSocketController(app: services, activities: activities, sockets: sockets, media: media, rechecks: rechecks)
    live.addRoutes(to: router)
    SpeedNetworkingRoomController(app: services).addRoutes(to: router)
    MeetingRoomController(app: services).addRoutes(to: router)
    OrganizerSessionsController(app: services).addRoutes(to: router)
    SessionsController(app: services).addRoutes(to: router)
    MeetingsController(app: services).addRoutes(to: router)
    CallsController(app: services, activities: activities, sockets: sockets, ringer: ringer, missedEmails: missedEmails).addRoutes(to: router)
    let mediaStore = FileSystemMediaStore(root: config.mediaPath)
    WatchRoomsController(app: services, activities: activities,
                         uploads: WatchUploads(app: services, store: mediaStore, activities: activities, logger: logger)).addRoutes(to: router)
    OrganizerReportsController(app: services).addRoutes(to: router)
    AttendanceController(app: services).addRoutes(to: router)

    let responder = router.buildResponder()
    var app = Application(
        responder: responder,
        // Pages' live sockets are upgraded after the same router (site and session middleware)
        // admits them, then served event-driven, outside Hummingbird's WebSocket tasks.
        server: HTTPServerBuilder { httpResponder in
            LiveServerChannel(responder: httpResponder, admit: RealTimeSocketController.admission(through: responder),
                              serve: { entry, connection, logger in await live.open(entry, on: connection, logger: logger) },
                              maxMessageBytes: RealTimeSocketController.maxMessageBytes, timeouts: config.connectionTimeouts)
        },
        configuration: .init(address: .hostname(config.bindHost, port: config.port), serverName: "mingle"),
        logger: logger)
    // Services stop in reverse order: activities first, then the media rooms they used.
    let notifications = DatabaseNotifications(
        settings: config.database,
        channels: [
            // Other nodes' tenant changes (suspension, branding): dropped from the cache at once.
            "tenant_changed": { slug in await directory.invalidate(slug: slug) },
            "mingle_push": { payload in await pushes.handle(payload) },
        ],
        listening: { await directory.invalidateAll() }, logger: logger)
    app.addServices(client, media, sockets, rechecks, activities, notifications,
                    SessionReminderWorker(database: database, announcer: services.announcer, logger: logger))
    if let smtp = config.smtp {
        app.addServices(MailWorker(database: database, smtp: smtp, logger: logger))
    }
    return app
}

extension Views {
    static let requiredTemplates = [
        "layout", "error", "platform_home", "tenant_home", "sign_in", "forgot_password", "reset_password",
        "change_password", "admin/tenants", "admin/new_tenant", "admin/tenant", "admin/outbox", "admin/audit",
        "admin/outbox_message", "organize/dashboard", "organize/branding", "mail_layout", "mail/password_reset_text",
        "mail/password_reset_html", "mail/organizer_invitation_text", "mail/organizer_invitation_html",
        "organize/membership", "organize/members", "organize/member", "organize/profile_sections", "profile_edit",
        "people", "person", "connections", "notifications", "messages", "conversation", "organize/connections",
        "organize/messages", "mail/new_message_text", "mail/new_message_html", "join", "register", "confirm_email", "membership", "mail/confirm_email_text", "mail/confirm_email_html",
        "organize/sessions", "organize/session_form", "organize/questions", "sessions", "session",
        "mail/session_text", "mail/session_html", "speed_networking_room",
        "organize/reports", "organize/report_answers", "organize/report_questions", "organize/report_people",
        "organize/report_person", "organize/report_mutual", "admin/reports",
    ]
}

import Foundation
import Hummingbird
import Store

/// The zone a person reads times in (`/account/time-zone`, on every host): taken from the
/// browser the first time (`SessionMiddleware`), changeable here. Pages and emails use it.
struct TimeZoneController {
    let app: AppServices

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        router.group("/account", context: SignedInRequestContext.self)
            .get("/time-zone", use: form)
            .post("/time-zone", use: save)
    }

    @Sendable func form(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        try app.views.page("account_time_zone", context, title: "Time zone",
                           model: TimeZoneModel(chosen: LocalTime.name(context.viewerZone), problems: FormProblems()))
    }

    @Sendable func save(_ request: Request, context: SignedInRequestContext) async throws -> Response {
        let chosen = context.form.text("time_zone")
        guard let zone = LocalTime.known(chosen) else {
            var problems = FormProblems()
            problems.add("time_zone", "Choose a time zone from the list.")
            return try app.views.page("account_time_zone", context, title: "Time zone",
                                      model: TimeZoneModel(chosen: chosen, problems: problems), status: .unprocessableContent)
        }
        let user = context.visitor.userID
        try await app.database.withoutTenant(user: user) { try await $0.setTimeZone(user: user, LocalTime.name(zone)) }
        // Back to the account page on a community's site (the platform host has only this page).
        return app.redirect(to: context.site.tenant == nil ? "/account/time-zone" : "/account#time-zone",
                            flash: "Times are now shown in \(LocalTime.label(zone, at: Date())), on every Mingle site and in your emails.")
    }
}

/// The time-zone page: every zone, the chosen one selected.
struct TimeZoneModel: Encodable, Equatable {
    struct Zone: Encodable, Equatable { var name: String; var selected: Bool }
    var zones: [Zone]
    var problems: FormProblems

    init(chosen: String, problems: FormProblems) {
        zones = LocalTime.choices(selected: chosen).map { Zone(name: $0, selected: $0 == chosen) }
        self.problems = problems
    }
}

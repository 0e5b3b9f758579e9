import Foundation
import Hummingbird
import MediaStore
import RealTime
import Store
import WatchRooms

/// Watch-together rooms around the room itself (issue 17, DESIGN §12): the list of my rooms,
/// making one (a 9-digit ID and a PIN, stored hashed), joining with ID and PIN, a room's link
/// (`/w/<id>`): the room for those who gave the PIN, else its door — the PIN for members, a name
/// and the PIN for guests when the host allows them. Wrong PINs are counted per (room, address)
/// and per address, never per room alone, so nobody can lock the real guests out.
struct WatchRoomsController {
    let app: AppServices
    let activities: ActivityRegistry
    let uploads: WatchUploads

    /// Wrong PINs: per room and address, and per address, in this window.
    static let pinWindow = Duration.seconds(15 * 60)
    static let pinTriesPerRoom = 5
    static let pinTriesPerAddress = 20
    static let tooManyTries = "Too many wrong PINs from your network. Wait 15 minutes, then try again."
    static let noMatch = "No room here has that ID and PIN. Check both and try again."

    static func path(_ room: UUID) -> String { "/w/\(room.uuidString.lowercased())" }
    static func filesPath(_ room: UUID) -> String { path(room) + "/files" }

    func addRoutes(to router: some RouterMethods<AppRequestContext>) {
        let members = router.group(context: MemberRequestContext.self)
        members.get("/watch", use: list)
        members.post("/watch", use: create)
        members.post("/watch/join", use: join)
        members.post("/w/:id/pin", use: pinForLink)
        let tenant = router.group(context: TenantRequestContext.self)
        tenant.get("/w/:id", use: page)
        tenant.post("/w/:id/guest", use: becomeGuest)
        tenant.post("/w/:id/upload", use: upload)
        tenant.get("/w/:id/uploads/:file", use: uploadStatus)
        tenant.get("/w/:id/files/:file", use: file)
    }

    // MARK: My rooms, making one, joining by ID

    @Sendable func list(_ request: Request, context: MemberRequestContext) async throws -> Response {
        try await listPage(context, model: nil)
    }

    private func listPage(_ context: MemberRequestContext, model typed: WatchRoomsModel?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let me = context.visitor.userID
        let listings = try await app.asMember(context, action: "list watch rooms") { tx in try await tx.watchRooms(of: me) }
        var model = WatchRoomsModel(listings, zone: context.viewerZone)
        if let typed {
            (model.code, model.title, model.guests) = (typed.code, typed.title, typed.guests)
            (model.joinProblems, model.createProblems) = (typed.joinProblems, typed.createProblems)
        }
        return try app.views.page("watch_rooms", context, title: "Watch together", model: model, status: status)
    }

    @Sendable func create(_ request: Request, context: MemberRequestContext) async throws -> Response {
        guard context.visitor.role != nil else { throw HTTPError(.forbidden, message: "Rooms are made by the site's own members.") }
        var problems = FormProblems()
        let title = WatchRoomForm.title(context.form.text("title"), into: &problems)
        let typedPIN = WatchRoomForm.pin(context.form.text("pin"), into: &problems)
        let guests = context.form["guests"] == "on"
        guard problems.isEmpty else {
            var typed = WatchRoomsModel([], zone: context.viewerZone)
            (typed.title, typed.guests, typed.createProblems) = (title, guests, problems)
            return try await listPage(context, model: typed, status: .unprocessableContent)
        }
        let pin = typedPIN ?? WatchRoomForm.randomDigits(6)
        let pinHash = try await app.passwords.hash(pin)
        let me = context.visitor.userID, tenant = context.tenant.id
        guard let room = try await app.asMember(context, action: "make a watch room", { tx in
            try await tx.createWatchRoom(tenant: tenant, host: me, title: title, pinHash: pinHash, guestsAllowed: guests,
                                         code: { WatchRoomForm.randomDigits(9) })
        }) else { throw HTTPError(.serviceUnavailable, message: "No free room ID was found. Try again.") }
        // The PIN is shown this once (only its hash is kept).
        return app.redirect(to: Self.path(room.id),
                            flash: "Your room is ready. Room ID \(room.spacedCode), PIN \(pin). Share both with the people you invite; the PIN is not shown again.")
    }

    @Sendable func join(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let typedCode = context.form.text("code")
        var problems = FormProblems()
        let code = WatchRoomForm.code(typedCode)
        if code == nil { problems.add("code", "A room ID is nine digits, like 123 456 789.") }
        let pin = WatchRoomForm.pin(context.form.text("join_pin"), into: &problems, field: "join_pin")
        if pin == nil { problems.add("join_pin", "Enter the room's PIN.") }
        if problems.isEmpty, let code, let pin {
            let tenant = context.tenant.id
            let room = try await app.database.withTenant(tenant) { tx in try await tx.watchRoom(code: code) }
            switch try await checkPIN(pin, of: room, key: "\(tenant):\(code)", context.clientAddress) {
            case .admitted(let room):
                let me = context.visitor.userID
                try await app.asMember(context, action: "join a watch room") { tx in
                    try await tx.recordWatchVisit(tenant: tenant, room: room.id, person: me, isGuest: false)
                }
                return app.redirect(to: Self.path(room.id))
            case .refused(let message):
                problems.add("join_pin", message)
            }
        }
        var typed = WatchRoomsModel([], zone: context.viewerZone)
        (typed.code, typed.joinProblems) = (typedCode, problems)
        return try await listPage(context, model: typed, status: problems["join_pin"] == Self.tooManyTries ? .tooManyRequests : .unprocessableContent)
    }

    private enum PINCheck { case admitted(WatchRoomRecord), refused(String) }

    /// Counts the try first (per room and address, per address), so that past the limit even the
    /// right PIN is refused until the window passes; a right PIN clears this room's count.
    private func checkPIN(_ pin: String, of room: WatchRoomRecord?, key: String, _ address: String) async throws -> PINCheck {
        let pair = "watch-pin:\(key):\(address)", perAddress = "watch-pin-address:\(address)"
        let counts = try await app.database.withoutTenant { tx in try await tx.recordAttempt(keys: [pair, perAddress], within: Self.pinWindow) }
        guard counts[0] <= Self.pinTriesPerRoom, counts[1] <= Self.pinTriesPerAddress else { return .refused(Self.tooManyTries) }
        guard let room, room.closedAt == nil, try await app.passwords.verify(pin, hash: room.pinHash) else {
            if let room, room.closedAt != nil { return .refused("This room is closed.") }
            return .refused(Self.noMatch)
        }
        try await app.database.withoutTenant { tx in try await tx.loginAttemptSucceeded(pair: pair, address: perAddress) }
        return .admitted(room)
    }

    // MARK: A room's link

    private func room(_ parameters: Parameters, tenant: TenantID) async throws -> WatchRoomRecord {
        let gone = "There is no such room here. Check the link, or join with the room ID and PIN."
        let id = try parameters.rowID(notFound: gone)
        guard let room = try await app.database.withTenant(tenant, { tx in try await tx.watchRoom(id) }) else {
            throw HTTPError(.notFound, message: gone)
        }
        return room
    }

    private func link(_ room: WatchRoomRecord, _ tenant: Tenant) -> String {
        app.config.baseURL(tenantSlug: tenant.slug) + Self.path(room.id)
    }

    @Sendable func page(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let room = try await room(context.parameters, tenant: context.tenant.id)
        let tenant = context.tenant.id
        if let visitor = context.visitor, visitor.membershipStatus == .active {
            let me = visitor.userID
            let (admitted, person) = try await app.database.withTenant(tenant, user: me) { tx in
                (try await tx.mayWatchFiles(of: room.id, person: me), try await tx.livePerson(me))
            }
            guard admitted else { return try door(room, context, asGuest: false) }
            let name = person?.name ?? visitor.username
            var model = WatchRoomPageModel(room, tenant: tenant, link: link(room, context.tenant), me: me, isGuest: false, myName: name)
            model.liveTicket = LiveTicket.issue(for: visitor, tenant: tenant, activity: model.activity, name: name,
                                                appearOffline: person?.appearOffline ?? false, signer: app.signer)
            return try roomPage(model, room, context)
        }
        if room.guestsAllowed, room.closedAt == nil, let token = request.cookies[app.cookies.guestName]?.value, Tokens.looksValid(token),
           let guest = try await app.database.withTenant(tenant, { tx in try await tx.watchGuest(tokenHash: Tokens.hash(token)) }),
           guest.room == room.id, try await app.database.withTenant(tenant, { tx in try await tx.mayWatchFiles(of: room.id, person: guest.id) }) {
            let model = WatchRoomPageModel(room, tenant: tenant, link: link(room, context.tenant), me: guest.id, isGuest: true, myName: guest.displayName)
            return try roomPage(model, room, context)
        }
        return try door(room, context, asGuest: true)
    }

    /// The room: its video may come from a direct link elsewhere or from YouTube's player.
    private func roomPage(_ model: WatchRoomPageModel, _ room: WatchRoomRecord, _ context: TenantRequestContext) throws -> Response {
        var response = try app.views.page("watch_room", context, title: room.title, model: model)
        response.headers[SecurityHeadersMiddleware<AppRequestContext>.allowanceHeader] = "media youtube"
        return response
    }

    private func door(_ room: WatchRoomRecord, _ context: some PageContext, asGuest: Bool, name: String = "",
                      problems: FormProblems = FormProblems(), status: HTTPResponse.Status = .ok) throws -> Response {
        let path = Self.path(room.id)
        var model = WatchDoorModel(title: room.title, code: room.spacedCode, action: path + (asGuest ? "/guest" : "/pin"), asGuest: asGuest,
                                   guestsAllowed: room.guestsAllowed, signIn: "/sign-in?next=" + path, closed: room.closedAt != nil)
        (model.name, model.problems) = (name, problems)
        return try app.views.page("watch_door", context, title: room.title, model: model, status: status)
    }

    /// A member with the room's link gives its PIN.
    @Sendable func pinForLink(_ request: Request, context: MemberRequestContext) async throws -> Response {
        let room = try await room(context.parameters, tenant: context.tenant.id)
        var problems = FormProblems()
        let pin = WatchRoomForm.pin(context.form.text("pin"), into: &problems)
        if pin == nil { problems.add("pin", "Enter the room's PIN.") }
        if problems.isEmpty, let pin {
            switch try await checkPIN(pin, of: room, key: "\(context.tenant.id):\(room.code)", context.clientAddress) {
            case .admitted(let room):
                let me = context.visitor.userID, tenant = context.tenant.id
                try await app.asMember(context, action: "join a watch room") { tx in
                    try await tx.recordWatchVisit(tenant: tenant, room: room.id, person: me, isGuest: false)
                }
                return app.redirect(to: Self.path(room.id))
            case .refused(let message): problems.add("pin", message)
            }
        }
        return try door(room, context, asGuest: false, problems: problems,
                        status: problems["pin"] == Self.tooManyTries ? .tooManyRequests : .unprocessableContent)
    }

    /// A guest's name and the PIN: a guest row for this room, a cookie for it, then the room.
    @Sendable func becomeGuest(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let room = try await room(context.parameters, tenant: context.tenant.id)
        guard room.guestsAllowed else {
            throw HTTPError(.forbidden, message: "This room does not take guests. Sign in as a member of this site to join.")
        }
        guard room.closedAt == nil else { throw HTTPError(.gone, message: "This room is closed.") }
        let (name, checked) = MeetingGuestModel.name(context.form["name"])
        var problems = checked
        let pin = WatchRoomForm.pin(context.form.text("pin"), into: &problems)
        if pin == nil { problems.add("pin", "Enter the room's PIN.") }
        if problems.isEmpty, let pin {
            if case .refused(let message) = try await checkPIN(pin, of: room, key: "\(context.tenant.id):\(room.code)", context.clientAddress) {
                problems.add("pin", message)
            }
        }
        guard problems.isEmpty else {
            return try door(room, context, asGuest: true, name: name, problems: problems,
                            status: problems["pin"] == Self.tooManyTries ? .tooManyRequests : .unprocessableContent)
        }
        let token = Tokens.random(), tenant = context.tenant.id
        try await app.database.withTenant(tenant) { tx in
            let guest = try await tx.addWatchGuest(tenant: tenant, room: room.id, displayName: name, tokenHash: Tokens.hash(token))
            try await tx.recordWatchVisit(tenant: tenant, room: room.id, person: guest.id, isGuest: true)
        }
        var response = app.redirect(to: Self.path(room.id))
        response.setCookie(app.cookies.guestCookie(token))
        return response
    }

    // MARK: Videos of a room

    /// Who this request is in `room`: a member who gave the PIN (or hosts it), or the room's guest
    /// of the cookie; nil for anyone else.
    private func person(_ request: Request, _ context: TenantRequestContext, _ room: WatchRoomRecord) async throws -> UUID? {
        let tenant = context.tenant.id
        if let visitor = context.visitor, visitor.membershipStatus == .active {
            let me = visitor.userID
            return try await app.database.withTenant(tenant, user: me) { tx in try await tx.mayWatchFiles(of: room.id, person: me) } ? me : nil
        }
        guard let token = request.cookies[app.cookies.guestName]?.value, Tokens.looksValid(token),
              let guest = try await app.database.withTenant(tenant, { tx in try await tx.watchGuest(tokenHash: Tokens.hash(token)) }),
              guest.room == room.id
        else { return nil }
        return try await app.database.withTenant(tenant) { tx in try await tx.mayWatchFiles(of: room.id, person: guest.id) } ? guest.id : nil
    }

    private static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let body = try JSONEncoder().encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// `POST /w/<id>/upload?name=<file name>`, the file as the body (streamed; CSRF in a header):
    /// 202 with the file's id while it is made ready; 413 over the limit; 422 not a video.
    @Sendable func upload(_ request: Request, context: TenantRequestContext) async throws -> Response {
        // The page's script reads the refusal's reason (JSON), not an error page.
        do {
            return try await receiveUpload(request, context: context)
        } catch let error as HTTPError {
            return try Self.json(["problem": error.body ?? "The upload failed. Try again."], status: error.status)
        }
    }

    private func receiveUpload(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let room = try await room(context.parameters, tenant: context.tenant.id)
        guard room.closedAt == nil else { throw HTTPError(.gone, message: "This room is closed.") }
        guard let me = try await person(request, context, room) else {
            throw HTTPError(.forbidden, message: "Join the room with its PIN first.")
        }
        let key = ActivityKey(tenant: context.tenant.id, kind: .watch, id: room.id)
        guard let engine = try await activities.activity(key) as? WatchEngine, await engine.room.mayControl(me) else {
            throw HTTPError(.forbidden, message: "The host controls the videos. Ask them to pass you control.")
        }
        let answer = try await uploads.receive(request, room: room, tenant: context.tenant.id, person: me,
                                               name: request.queryValue("name") ?? "Video")
        return try Self.json(answer, status: .accepted)
    }

    /// How an upload's processing goes: `{file, status, progress, problem}`.
    @Sendable func uploadStatus(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let room = try await room(context.parameters, tenant: context.tenant.id)
        let missing = "There is no such upload in this room."
        let id = try context.parameters.rowID("file", notFound: missing)
        guard try await person(request, context, room) != nil,
              let file = try await app.database.withTenant(context.tenant.id, { tx in try await tx.watchFile(id) }), file.room == room.id
        else { throw HTTPError(.notFound, message: missing) }
        return try Self.json(WatchUploads.Answer(file: file.id, status: file.status, progress: file.progress, problem: file.problem))
    }

    /// A room's video, to its people only (others: 404, whatever URL they have), with ranges.
    @Sendable func file(_ request: Request, context: TenantRequestContext) async throws -> Response {
        let room = try await room(context.parameters, tenant: context.tenant.id)
        let missing = "There is no such video in this room."
        let id = try context.parameters.rowID("file", notFound: missing)
        guard try await person(request, context, room) != nil,
              let file = try await app.database.withTenant(context.tenant.id, { tx in try await tx.watchFile(id) }),
              file.room == room.id, file.status == "ready", let stored = file.mediaKey
        else { throw HTTPError(.notFound, message: missing) }
        return try await MediaResponse.make(for: request, store: uploads.store, key: try MediaKey(stored), contentType: "video/mp4")
    }
}

import Hummingbird

/// Account management for admins: `GET /api/v1/users`, `POST /api/v1/users/{name}/disable`
/// (refused from the next request on; every open session of the user is revoked) and
/// `POST /api/v1/users/{name}/enable`. Accounts are created with `candor users add` on the
/// server (the password never crosses the network in a management call).
enum AdminRoutes {
    static func admin(_ state: ServerState, _ request: Request, _ context: ServerContext) throws -> Principal {
        let p = try state.auth.apiPrincipal(request)
        guard p.role == .admin else {
            state.logger.warning(
                "refused",
                metadata: [
                    "user": "\(p.name)", "role": "\(p.role.rawValue)", "action": "manage users",
                    "client": "\(context.clientAddress)",
                ])
            throw ServerError.forbidden("\(p.name) (\(p.role.rawValue)) may not manage accounts")
        }
        return p
    }

    static func add(to router: Router<ServerContext>, state: ServerState) {
        let users = router.group("api/v1/users")
        users.get { request, context -> Response in
            _ = try admin(state, request, context)
            let assignments = try state.cases.accounts.assignments()
            let list = try state.cases.accounts.accounts().map { a -> JSONText in
                .object([
                    "name": .string(a.name), "role": .string(a.role.rawValue), "disabled": .bool(a.disabled),
                    "cases": .array(assignments.filter { $0.value.contains(a.name) }.keys.sorted().map { .string($0) }),
                ])
            }
            return Reply.json(.object(["users": .array(list)]))
        }
        for (verb, disabled) in [("disable", true), ("enable", false)] {
            users.post("{name}/\(verb)") { request, context -> Response in
                let p = try admin(state, request, context)
                let name = context.parameters.get("name") ?? ""
                guard try state.cases.accounts.account(name) != nil else { throw ServerError.notFound("no user \(name)") }
                guard name != p.name else { throw ServerError.badRequest("an admin cannot \(verb) their own account") }
                try state.cases.accounts.setDisabled(name, disabled)
                let revoked = disabled ? state.auth.sessions.revokeAll(user: name) : 0
                state.logger.notice("account \(verb)d", metadata: ["user": "\(name)", "by": "\(p.name)", "sessions_revoked": "\(revoked)"])
                return Reply.json(.object(["user": .string(name), "disabled": .bool(disabled), "sessions_revoked": .int(Int64(revoked))]))
            }
        }
    }
}

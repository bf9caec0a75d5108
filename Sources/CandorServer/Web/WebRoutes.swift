import Hummingbird

enum WebRoutes {
    static func add(to router: Router<ServerContext>, state: ServerState) {}
}

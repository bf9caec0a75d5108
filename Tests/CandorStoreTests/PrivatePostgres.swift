import CandorTestSupport
import Foundation

/// A PostgreSQL server of the test's own (initdb in a temporary folder, its own port), that
/// the test may stop and start at will. Runs as the `postgres` user when the tests run as
/// root (initdb refuses root).
final class PrivatePostgres {
    let dir: String
    let port: Int
    let bin: String
    private let asRoot = getuid() == 0

    init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let v = versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last else {
            throw TestSetupError("no PostgreSQL under /usr/lib/postgresql: run ./scripts/start-postgres.sh (it installs it)")
        }
        bin = "/usr/lib/postgresql/\(v)/bin"
        dir = tempDir("candor-pg")
        port = try Self.freePort()
        if asRoot { _ = try run("/bin/chown", ["-R", "postgres:postgres", dir]) }
        let r = try pg("initdb", ["-D", dir + "/data", "-A", "trust", "-U", "candor", "--no-sync", "-E", "UTF8"])
        guard r.status == 0 else { throw TestSetupError("initdb failed: \(r.stderr)") }
        try start()
    }

    var url: String { "postgres://candor@127.0.0.1:\(port)/postgres?sslmode=disable" }

    private func pg(_ tool: String, _ args: [String]) throws -> RunResult {
        if asRoot { return try run("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/" + tool] + args, cwd: dir) }
        return try run(bin + "/" + tool, args, cwd: dir)
    }

    func start() throws {
        let r = try pg("pg_ctl", ["-D", dir + "/data", "-l", dir + "/server.log", "-w", "-t", "30", "start", "-o",
                                  "-p \(port) -k \(dir) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"])
        guard r.status == 0 else { throw TestSetupError("pg_ctl start failed: \(r.stderr) \(log)") }
    }

    /// `pg_ctl stop -m fast`: the server terminates every session and exits.
    func stop() throws {
        let r = try pg("pg_ctl", ["-D", dir + "/data", "-m", "fast", "-w", "-t", "30", "stop"])
        guard r.status == 0 else { throw TestSetupError("pg_ctl stop failed: \(r.stderr)") }
    }

    var log: String { (try? String(contentsOfFile: dir + "/server.log", encoding: .utf8)) ?? "" }

    func destroy() {
        _ = try? pg("pg_ctl", ["-D", dir + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw TestSetupError("cannot find a free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

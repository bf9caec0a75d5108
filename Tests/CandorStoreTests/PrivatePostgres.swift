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

    /// With `tls`, the server takes only TLS connections with a password (see `PostgresTLS`).
    init(tls: PostgresTLS? = nil) throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let v = versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last else {
            throw TestSetupError("no PostgreSQL under /usr/lib/postgresql: run ./scripts/start-postgres.sh (it installs it)")
        }
        bin = "/usr/lib/postgresql/\(v)/bin"
        dir = tempDir("candor-pg")
        port = try Self.freePort()
        var auth = ["-A", "trust"]
        if let tls {
            try tls.install(in: dir)
            auth = ["--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + dir + "/pw"]
        }
        if asRoot { _ = try run("/bin/chown", ["-R", "postgres:postgres", dir]) }  // short-lived: a pipe is fine
        let r = try pg("initdb", ["-D", dir + "/data", "-U", "candor", "--no-sync", "-E", "UTF8"] + auth)
        guard r.status == 0 else { throw TestSetupError("initdb failed: \(r.output)") }
        if tls != nil { try PostgresTLS.configure(dir) }
        try start()
    }

    var url: String { "postgres://candor@127.0.0.1:\(port)/postgres?sslmode=disable" }

    /// Runs a PostgreSQL tool with its output in a file. Not through Foundation's `Process`
    /// and not through pipes: the server that `pg_ctl start` leaves running would inherit
    /// every open descriptor of this process (the pipes of other tests' child processes
    /// included, whose readers would then never see end-of-file). A short Python wrapper,
    /// spawned here, starts the tool with only stdin, stdout and stderr (`close_fds`).
    private func pg(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let outPath = dir + "/\(tool).out"
        let exe = (asRoot ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + [bin + "/" + tool] + args
        let wrapper = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], stdin=subprocess.DEVNULL, cwd=\"\(dir)\"))"
        let argv = ["/usr/bin/python3", "-c", wrapper] + exe
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ)
        guard rc == 0 else { throw TestSetupError("cannot run \(tool): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), text)
    }

    func start() throws {
        let r = try pg(
            "pg_ctl",
            [
                "-D", dir + "/data", "-l", dir + "/server.log", "-w", "-t", "30", "start", "-o",
                "-p \(port) -k \(dir) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            ])
        guard r.status == 0 else { throw TestSetupError("pg_ctl start failed: \(r.output) \(log)") }
    }

    /// `pg_ctl stop -m fast`: the server terminates every session and exits.
    func stop() throws {
        let r = try pg("pg_ctl", ["-D", dir + "/data", "-m", "fast", "-w", "-t", "30", "stop"])
        guard r.status == 0 else { throw TestSetupError("pg_ctl stop failed: \(r.output)") }
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

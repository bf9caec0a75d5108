#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArgumentParser
import CandorAudit
import CandorServer
import CandorStore
import Foundation
import Logging
import ServiceLifecycle

/// `candor serve`: the HTTP service (API, web UI, /metrics) over the workspace.
public struct ServeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the workspace to signed-in users: the /api/v1 API, the web UI, /metrics and /healthz.",
        discussion: """
            Plain HTTP is allowed only on a loopback address; any other address needs --tls-cert and \
            --tls-key. Accounts come from `candor users add`, case assignments from `candor cases assign`. \
            Uploaded recordings are queued in the same queue as `candor batch` (SQLite in the workspace, \
            or $CANDOR_QUEUE / --queue) and analysed by --workers in-process workers and/or `candor worker` \
            processes. Every read of case data appends an `accessed` record naming the signed-in user, \
            signed by the workspace's default operator key (the server's key), before the data is sent. \
            SIGTERM or SIGINT stops accepting connections, lets requests and running jobs finish, and exits. \
            The bound address is printed and written to WORKSPACE/server/serve.addr. Logs are JSON lines on stderr.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var queueOptions: QueueOptions

    @Option(name: .long, help: "HOST:PORT to listen on (port 0 picks a free port).")
    var listen: String = "127.0.0.1:8080"
    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.") var tlsKey: String?
    @Option(name: .long, help: "In-process workers that analyse uploads (0: leave the queue to `candor worker` processes).")
    var workers: Int = 1
    @Option(name: .customLong("max-upload-mb"), help: "Largest accepted recording, MiB.")
    var maxUploadMB: Int = 2048
    @Option(name: .customLong("session-hours"), help: "Hours a sign-in stays valid.")
    var sessionHours: Double = 8

    public init() {}

    var hostPort: (String, Int)? {
        guard let i = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: i)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(listen[..<i])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    public func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        guard let (host, _) = hostPort else { throw ValidationError("--listen must be HOST:PORT") }
        if tlsCert == nil && !CandorServer.isLoopback(host) {
            throw ValidationError(
                "plain HTTP is only allowed on loopback (127.0.0.1, ::1, localhost): give --tls-cert and --tls-key to listen on \(host)")
        }
        guard (0...64).contains(workers) else { throw ValidationError("--workers must be 0…64") }
        guard (1...65536).contains(maxUploadMB) else { throw ValidationError("--max-upload-mb must be 1…65536") }
        guard sessionHours > 0, sessionHours <= 24 * 30 else { throw ValidationError("--session-hours must be in (0, 720]") }
    }

    public func run() async throws {
        let (host, port) = hostPort!
        let workspace = global.workspacePath
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label) }
        var logger = Logger(label: "candor.serve")
        logger.logLevel = global.quiet ? .warning : .info

        // The server's signing key: the workspace's default operator must exist.
        let serverOperator = try requireOperator(try openAudit(workspace))
        let auditURL = try serveAuditURL(queueOptions)
        let accounts = AccountStore(workspace: workspace)
        if try auditing({ try accounts.accounts() }).isEmpty {
            printErr(
                "candor: warning: no accounts yet; add one with: candor users add NAME --role investigator|supervisor|researcher|admin")
        }
        let store = try await queueOptions.open(workspace: workspace)
        let metrics = ServerMetrics()
        var limits = ServerLimits()
        limits.maxUploadBytes = maxUploadMB * 1024 * 1024
        let hooks = AnalysisHooks(
            makeJob: { path, sha, bytes, roles, caseID, sessionID, segments, options in
                try serveJobSpec(
                    path: path, sha256: sha, bytes: bytes, roles: roles, caseID: caseID, sessionID: sessionID, segments: segments,
                    options: options)
            }, checkSegments: { path, format in try serveCheckSegments(path: path, format: format).count },
            modelCards: { ids in serveModelCards(ids) })
        let cases = CaseService(
            openWorkspace: { try openAudit(workspace, storeURL: auditURL) }, accounts: accounts,
            serverOperator: serverOperator, hooks: hooks, logger: logger)
        // Sign-ins and the throttle's failures survive a restart (token digests only).
        let signIns: SignInStore
        do { signIns = try SignInStore(path: workspace + "/server/signin.sqlite") } catch let e as ServerError {
            throw CLIError(code: ExitCodes.failure, e.message)
        }
        let auth = Authenticator(
            accounts: accounts, sessions: SessionTable(lifetime: sessionHours * 3600, store: signIns),
            throttle: LoginThrottle(store: signIns), metrics: metrics, logger: logger)
        let state = ServerState(
            auth: auth, cases: cases, uploads: UploadStore(workspace: workspace, maxBytes: limits.maxUploadBytes),
            jobs: store, hooks: hooks, metrics: metrics, limits: limits, secureCookies: tlsCert != nil, logger: logger)
        var services: [any Service] = []
        if workers > 0 {
            var options = WorkerOptions()
            options.concurrency = workers
            options.jobThreads = workers
            options.graceSeconds = 30
            let lease = options.leaseSeconds
            services.append(
                WorkerService(store: store, options: options, metrics: metrics, logger: logger) { job in
                    try await analyseJob(
                        job, store: store, lease: lease, workspace: workspace, auditURL: auditURL, threads: 1)
                })
        }
        let scheme = tlsCert == nil ? "http" : "https"
        let addrFile = accounts.directory + "/serve.addr"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let tls = tlsCert.map { CandorServer.TLSFiles(certificate: $0, privateKey: tlsKey!) }
        do {
            try await CandorServer.run(state, host: host, port: port, tls: tls, services: services) { bound in
                let url = "\(scheme)://\(shownHost):\(bound)"
                FileHandle.standardOutput.write(Data("candor serving \(workspace) on \(url) (operator key \(serverOperator))\n".utf8))
                try? FileManager.default.createDirectory(atPath: accounts.directory, withIntermediateDirectories: true)
                try? Data((url + "\n").utf8).write(to: URL(fileURLWithPath: addrFile), options: .atomic)
            }
        } catch {
            await store.close()
            throw CLIError(code: ExitCodes.failure, "serve \(listen): \(error)")
        }
        await store.close()
    }
}

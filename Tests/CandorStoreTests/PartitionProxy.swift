import Foundation
import Synchronization

/// A TCP proxy in the test process that can cut the network silently: while `partitioned`,
/// it stops moving bytes in both directions without closing anything (like dropped packets:
/// no RST, no FIN), and when healed it delivers what was held, as TCP retransmission would.
final class PartitionProxy: Sendable {
    let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let cut = Mutex(false)
    private let stopped = Mutex(false)

    init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = Self.loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, len) == 0 && listen(listener, 64) == 0 && getsockname(listener, $0, &len) == 0
            }
        }
        guard ok else { throw TestSetupError("proxy: cannot listen on 127.0.0.1") }
        port = Int(UInt16(bigEndian: addr.sin_port))
        let t = Thread { [self] in acceptLoop() }
        t.start()
    }

    var partitioned: Bool {
        get { cut.withLock { $0 } }
        set { cut.withLock { $0 = newValue } }
    }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return addr
    }

    private func acceptLoop() {
        while !stopped.withLock({ $0 }) {
            let client = accept(listener, nil, nil)
            if client < 0 { if stopped.withLock({ $0 }) { return } else { continue } }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = Self.loopback(port: upstreamPort)
            let connected = withUnsafeMutablePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            guard connected else {
                close(client)
                close(server)
                continue
            }
            let closeBoth = Mutex(false)
            for (from, to) in [(client, server), (server, client)] {
                Thread { [self] in
                    pump(from, to)
                    if closeBoth.withLock({ done in
                        defer { done = true }; return !done
                    }) {
                        shutdown(client, Int32(SHUT_RDWR))
                        shutdown(server, Int32(SHUT_RDWR))
                    } else {
                        close(client)
                        close(server)
                    }
                }.start()
            }
        }
    }

    /// Copies bytes from `from` to `to` until either side closes; holds them while partitioned.
    private func pump(_ from: Int32, _ to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !stopped.withLock({ $0 }) {
            if partitioned {
                usleep(10_000)
                continue
            }
            var pfd = pollfd(fd: from, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 50)
            if ready == 0 { continue }
            if ready < 0 { return }
            // Data that arrived during the partition is only read once it is healed.
            if partitioned { continue }
            let n = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            var sent = 0
            while sent < n {
                let w = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
                if w <= 0 { return }
                sent += w
            }
        }
    }
}

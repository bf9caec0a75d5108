import CandorAudit
import NIOCore
import NIOHTTP1

/// Sends one HTTP/1.1 request when the connection becomes active (NIOSSL holds the bytes
/// until its handshake is done) and completes `answer` with the response, at most `limit`
/// bytes of body. Any error, or a connection closed early, fails `answer`.
final class HTTPExchangeHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    struct Request: Sendable {
        let head: HTTPRequestHead
        let body: [UInt8]
    }

    private let request: Request
    private let answer: EventLoopPromise<WitnessResponse>
    private let limit: Int
    private var status = 0
    private var body: [UInt8] = []
    private var done = false

    init(request: Request, answer: EventLoopPromise<WitnessResponse>, limit: Int) {
        (self.request, self.answer, self.limit) = (request, answer, limit)
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if !request.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: request.body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= limit else {
                finish(context, .failure(AuditError("answer larger than \(limit) bytes")))
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            finish(context, .success(WitnessResponse(status: status, body: body)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(context, .failure(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(context, .failure(AuditError("the connection closed before a complete answer")))
        context.fireChannelInactive()
    }

    private func finish(_ context: ChannelHandlerContext, _ result: Result<WitnessResponse, any Error>) {
        guard !done else { return }
        done = true
        answer.completeWith(result)
        context.close(promise: nil)
    }
}

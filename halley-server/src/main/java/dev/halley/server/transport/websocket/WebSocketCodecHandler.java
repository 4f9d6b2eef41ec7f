package dev.halley.server.transport.websocket;

import dev.halley.server.http.PassThroughOutbound;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;

/**
 * The frame codec of one upgraded connection in one pipeline handler: Netty's frame decoder
 * (RFC 6455 and the hybi drafts 7 and 8 it grew from; Netty's decoders for 13, 8 and 7 are this one
 * class) is this handler, and Netty's frame encoder, which keeps no state, is one instance that
 * every connection writes through. Server frames are not masked. Two pipeline contexts made one:
 * every held WebSocket pays for each.
 */
final class WebSocketCodecHandler extends WebSocket08FrameDecoder implements PassThroughOutbound {
    /** Stateless, and never added to a pipeline itself: shared. */
    private static final WebSocket08FrameEncoder ENCODER = new WebSocket08FrameEncoder(false);

    WebSocketCodecHandler(WebSocketDecoderConfig config) {
        super(config);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        ENCODER.write(ctx, msg, promise);
    }
}

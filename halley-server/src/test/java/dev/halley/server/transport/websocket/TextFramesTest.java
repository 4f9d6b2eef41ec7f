package dev.halley.server.transport.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The once-encoded frames are byte for byte what Netty's server encoder writes, at every length boundary. */
class TextFramesTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 70000})
    void sameBytesAsNettysEncoder(int length) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        ch.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        ByteBuf expected = Unpooled.buffer();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            expected.writeBytes(b);
            b.release();
        }
        assertThat(TextFrames.frame(payload)).isEqualTo(ByteBufUtil.getBytes(expected));
        expected.release();
        ch.finishAndReleaseAll();
    }
}

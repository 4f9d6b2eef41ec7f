package dev.halley.server.protocol.sockjs;

import dev.halley.server.HalleyConfig;
import dev.halley.server.ServerContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The services under {@code /sockjs/}: always {@code channels} (SockJS clients on the hub's
 * channels, see {@link ChannelBridge}); with {@code --sockjs-test-services} also the four the
 * SockJS protocol test suite expects:
 * <ul>
 *   <li>{@code echo}: every message comes back;</li>
 *   <li>{@code close}: every session is closed as soon as it opens, with {@code c[3000,"Go away!"]};</li>
 *   <li>{@code disabled_websocket_echo}: {@code echo} without the WebSocket transports;</li>
 *   <li>{@code cookie_needed_echo}: {@code echo} that sets {@code JSESSIONID}.</li>
 * </ul>
 * The test services end streams after 4,096 bytes, as the suite checks.
 */
final class Services {
    private static final SessionHandler ECHO = (session, message) -> session.send(message);
    private static final SessionHandler CLOSE = new SessionHandler() {
        @Override
        public void onOpen(SockJsSession session) {
            session.close(3000, "Go away!");
        }

        @Override
        public void onMessage(SockJsSession session, String message) {
        }
    };

    private Services() {
    }

    static Map<String, SockJsService> of(ServerContext server) {
        HalleyConfig config = server.config();
        Map<String, SockJsService> services = new LinkedHashMap<>();
        add(services, new SockJsService(SockJsService.CHANNELS, config.sockjs().websocket(), config.sockjs().jsessionid(),
                config.streamBudget(), session -> new ChannelBridge(server, session)));
        if (config.sockjsTestServices()) {
            int budget = SockJsService.TEST_STREAM_BUDGET;
            add(services, new SockJsService("echo", true, false, budget, s -> ECHO));
            add(services, new SockJsService("close", true, false, budget, s -> CLOSE));
            add(services, new SockJsService("disabled_websocket_echo", false, false, budget, s -> ECHO));
            add(services, new SockJsService("cookie_needed_echo", true, true, budget, s -> ECHO));
        }
        return Map.copyOf(services);
    }

    private static void add(Map<String, SockJsService> services, SockJsService s) {
        services.put(s.name(), s);
    }
}

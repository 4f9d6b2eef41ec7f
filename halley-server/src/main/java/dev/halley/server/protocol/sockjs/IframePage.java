package dev.halley.server.protocol.sockjs;

import java.nio.charset.StandardCharsets;

/**
 * The iframe page of the cross-domain transports ({@code iframe-eventsource},
 * {@code iframe-htmlfile}, {@code iframe-xhr-polling}): served from the server's origin, it loads
 * {@code sockjs-client} from {@code sockjs-client-url} and lets the client in the parent page talk
 * to the server through it ({@code postMessage}). The markup is the one the SockJS protocol
 * fixes, byte for byte but the script URL; it is the same for every service and every client
 * version, so it is cached a year under one ETag.
 */
final class IframePage {
    private IframePage() {
    }

    /** The page for {@code clientUrl} (already checked to hold no quotes or angle brackets), as UTF-8. */
    static byte[] of(String clientUrl) {
        String page = """
                <!DOCTYPE html>
                <html>
                <head>
                  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
                  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
                  <script>
                    document.domain = document.domain;
                    _sockjs_onload = function(){SockJS.bootstrap_iframe();};
                  </script>
                  <script src="%s"></script>
                </head>
                <body>
                  <h2>Don't panic!</h2>
                  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
                </body>
                </html>""".formatted(clientUrl.replace("&", "&amp;"));
        return page.getBytes(StandardCharsets.UTF_8);
    }
}

package dev.halley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.halley.core.ChannelPattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        HalleyConfig c = HalleyConfig.defaults();
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.broker()).isEqualTo("memory");
        assertThat(c.maxPublishBody()).isEqualTo(1 << 20);
        assertThat(c.maxClientBody()).isEqualTo(64 << 10);
        assertThat(c.maxWsMessage()).isEqualTo(64 << 10);
        assertThat(c.maxInitialLine()).isEqualTo(4096);
        assertThat(c.maxHeaderSize()).isEqualTo(8192);
        assertThat(c.maxJsonDepth()).isEqualTo(32);
        assertThat(c.maxSubscriptions()).isEqualTo(128);
        assertThat(c.outboundMaxBytes()).isEqualTo(1 << 20);
        assertThat(c.outboundMaxMessages()).isEqualTo(1000);
        assertThat(c.unwritableTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.streamBudget()).isEqualTo(128 << 10);
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(25));
        assertThat(c.longPollTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.historySize()).isEqualTo(100);
        assertThat(c.historyTtl()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.publishRate()).isEqualTo(50);
        assertThat(c.corsOrigins()).containsExactly("*");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("halley.json");
        Files.writeString(file, """
                {"port": 7000, "history-size": 7, "heartbeat": "9s", "cors-origins": ["https://a.example", "https://b.example"],
                 "channels": [{"pattern": "/private/**", "subscribe": false, "publish": false}]}
                """);
        HalleyConfig c = ConfigLoader.load(new String[] {"--config", file.toString(), "--port=7002", "--sockjs-test-services"},
                Map.of("HALLEY_PORT", "7001", "HALLEY_HISTORY_SIZE", "8"));
        assertThat(c.port()).isEqualTo(7002);
        assertThat(c.historySize()).isEqualTo(8);
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(9));
        assertThat(c.sockjsTestServices()).isTrue();
        assertThat(c.corsOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(c.policy().maySubscribe(ChannelPattern.parse("/private/x"))).isFalse();
        assertThat(c.policy().maySubscribe(ChannelPattern.parse("/public/x"))).isTrue();
    }

    @Test
    void badValuesNameTheKey(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--port", "x"}, Map.of())).hasMessageContaining("port");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--heartbeat", "soon"}, Map.of())).hasMessageContaining("heartbeat");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--no-such-flag", "1"}, Map.of())).hasMessageContaining("no-such-flag");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--transport", "kqueue"}, Map.of())).hasMessageContaining("transport");
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"prot\": 1}");
        assertThatThrownBy(() -> ConfigLoader.load(new String[] {"--config", file.toString()}, Map.of())).hasMessageContaining("prot");
    }

    @Test
    void metaAndServiceAreNeverOpenToClients() {
        ChannelPolicy p = ChannelPolicy.OPEN;
        assertThat(p.mayPublish("/meta/handshake")).isFalse();
        assertThat(p.mayPublish("/service/x")).isFalse();
        assertThat(p.maySubscribe(ChannelPattern.parse("/meta/**"))).isFalse();
        assertThat(p.mayPublish("/chat/a")).isTrue();
    }

    @Test
    void everyKeyIsDocumentedWithItsDefault() throws Exception {
        Path doc = Path.of("..", "docs", "configuration.md");
        String text = Files.readString(doc);
        for (ConfigKey k : ConfigKey.values()) {
            String def = k.defaultValue().isEmpty() ? "(none)" : "`" + k.defaultValue() + "`";
            assertThat(text).as("docs/configuration.md row for " + k.key())
                    .contains("| `--" + k.key() + "` | `" + k.env() + "` | " + def + " | " + k.description() + " |");
        }
    }

    @Test
    void helpListsEveryFlag() {
        String help = Main.usage();
        for (ConfigKey k : ConfigKey.values()) {
            assertThat(help).contains("--" + k.key()).contains(k.env());
        }
    }
}
